//go:build !race

package watchsim_test

func scale(n int) int { return n }
