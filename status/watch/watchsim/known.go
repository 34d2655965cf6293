package watchsim

// The defects the simulator found in package watch when it was built, by
// the kind of violation, each with the open issue that names it and the
// first seed (of 1 to 10,000, memory store) that shows it. Each is
// replayed with
//
//	go test ./status/watch/watchsim -run TestSimulate/memory -sim.seed=N -v
func init() {
	for kind, d := range map[string]Defect{
		// "Exactly the changes, once"
		"after-unfollow":            {"#30: a ref unfollowed while its lookup is in flight still has news delivered", 3},
		"phantom-sub-order":         {"#30: a push to an order of several sub-orders makes a number-less sub-order", 3},
		"event-never-happened":      {"#30: a push lands on the wrong sub-order (the baseline missed one): its events are told of another", 444},
		"tracking-never-had":        {"#30: a push lands on the wrong sub-order: its tracking number is told of another", 444},
		"tracking-lost":             {"#30: a push lands on the wrong sub-order: the consumer is left with another's tracking number", 444},
		"tracking-back":             {"#30: an older notice, or a lagging answer, moves the tracking number back", 2059},
		"stage-back":                {"#30: the baseline is the last answer: a lagging answer moves the stage back", 590},
		"fact-two-ids":              {"#30: one fact under two IDs: a ref's Following delivered twice in one follow episode, the second after a takeover", 1748},
		"unfollowed-lost":           {"#30: two follows of one ref at one instant give their Unfollowed one ID: the second is taken for the first", 5327},
		"following-lost":            {"#30: a ref followed again at the same instant has its new Following under the old one's ID: taken for a repeat", 9684},
		"outage-recovered-unfailed": {"#30: an account is reported recovered that was never reported failing", 2},
		"outage-said-twice":         {"#30: the account's outage state lives in a process's memory: the next holder says it again", 7},
		"outage-never-recovered":    {"#30: the account's outage state lives in a process's memory: its recovery is never said", 6},
		"outage-not-an-outage":      {"#30: refs failing on their own, alone in a batch, are taken for the account's outage", 6},
		// "One clock, one driver"
		"two-drivers":      {"#31: a holder whose lease ended mid-batch (stalled, or slow) goes on sending requests beside the new holder", 6},
		"id-repeated":      {"#31: a holder stalled between its lease check and the send delivers a change the new holder delivered", 67},
		"after-unfollowed": {"#31: a pass delivers its own batch's changes before older ones left in the outbox: a ref's news comes after its Unfollowed", 516},
	} {
		Known[kind] = d
	}
}
