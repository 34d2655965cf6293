//go:build race

package watchsim_test

// scale runs a tenth of the seeds under the race detector.
func scale(n int) int { return n / 10 }
