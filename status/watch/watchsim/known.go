package watchsim

// The defects the simulator found in package watch when it was built, by
// the kind of violation, each with the open issue that names it and the
// first seed (of 1 to 10,000, memory store) that shows it. A change to the
// simulator that draws differently from the seed gives other worlds: run
// TestSimulate/memory -sim.seeds 10000 -v, and take the first seeds it
// logs. Each is replayed with
//
//	go test ./status/watch/watchsim -run TestSimulate/memory -sim.seed=N -v
func init() {
	for kind, d := range map[string]Defect{
		// "Exactly the changes, once"
		"after-unfollow":            {"#30: news of a ref saved after Unfollow returned (its lookup was in flight)", 3},
		"phantom-sub-order":         {"#30: a push to an order of several sub-orders makes a sub-order with no number", 35},
		"event-never-happened":      {"#30: an event told of a sub-order that never had it (a push landed on another sub-order)", 1458},
		"tracking-never-had":        {"#30: a tracking number told of a sub-order that never had it (a push landed on another sub-order)", 1458},
		"tracking-lost":             {"#30: the consumer is left with a tracking number the sub-order does not have", 1603},
		"tracking-back":             {"#30: a tracking number moved back to an older one (a late notice, or a lagging answer)", 5612},
		"stage-back":                {"#30: a stage moved back (a lagging answer taken for news)", 942},
		"fact-two-ids":              {"#30: one fact delivered under two change IDs", 633},
		"unfollowed-lost":           {"#30: an Unfollowed never delivered: it had the ID of an earlier one (two follow episodes at one instant)", 2835},
		"following-lost":            {"#30: a Following never delivered: it had the ID of an earlier one (two follow episodes at one instant)", 9970},
		"outage-recovered-unfailed": {"#30: an account reported recovered that was never reported failing", 1},
		"outage-said-twice":         {"#30: an account's outage reported twice (its state lives in one process's memory)", 1},
		"outage-never-recovered":    {"#30: an account's outage never reported recovered (its state lives in one process's memory)", 7},
		"outage-not-an-outage":      {"#30: refs failing on their own taken for the account's outage", 3},
		// "One clock, one driver"
		"two-drivers":      {"#31: a holder whose lease ended mid-batch (stalled, or slow) sends requests beside the new holder", 14},
		"id-repeated":      {"#31: a change delivered twice without a crash (a holder stalled past its lease delivers what the new holder did)", 779},
		"after-unfollowed": {"#31: news of a ref delivered after its Unfollowed (a pass delivers its own batch before older changes in the outbox)", 516},
	} {
		Known[kind] = d
	}
}
