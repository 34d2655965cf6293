//go:build race

package pgstore_test

// simSeeds is how many seeds TestSimulate runs: fewer under the race
// detector, which CI runs them without too.
const simSeeds = 20
