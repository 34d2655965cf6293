//go:build !race

package pgstore_test

const simSeeds = 200
