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
		// "One clock, one driver"
		"id-repeated": {"#31: a change delivered twice without a crash (a holder stalled in its lease renewal, on its own clock, delivers what the new holder did)", 2119},
	} {
		Known[kind] = d
	}
}
