// Package fakegen picks, for the fakes' generated orders, the same values
// for the same ref every time: a deterministic hash of the ref, with no
// state, so that a fake answers a million refs holding none of them.
package fakegen

import (
	"hash/fnv"
	"time"
)

// Base is the time generated orders are updated around.
var Base = time.Date(2024, 6, 3, 9, 0, 0, 0, time.UTC)

// Pick returns one of choices, chosen by ref (and salt, for a second
// choice about the same ref that does not follow the first).
func Pick[T any](ref, salt string, choices ...T) T {
	h := fnv.New64a()
	h.Write([]byte(salt))
	h.Write([]byte{0})
	h.Write([]byte(ref))
	return choices[h.Sum64()%uint64(len(choices))]
}

// Updated returns a time within the 30 days before Base, chosen by ref.
func Updated(ref string) time.Time {
	h := fnv.New64a()
	h.Write([]byte("updated\x00" + ref))
	return Base.Add(-time.Duration(h.Sum64()%(30*24*3600)) * time.Second)
}
