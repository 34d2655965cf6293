package status

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fakeTracker struct {
	p     Provider
	delay time.Duration
	err   error
}

func (f fakeTracker) Track(ctx context.Context, refs ...string) ([]Snapshot, error) {
	time.Sleep(f.delay)
	if f.err != nil {
		return nil, f.err
	}
	out := make([]Snapshot, len(refs))
	for i, r := range refs {
		out[i] = Snapshot{Provider: f.p, Ref: r, Stage: Shipped}
	}
	return out, nil
}

func TestTrackAllKeepsQueryOrder(t *testing.T) {
	snaps, err := TrackAll(context.Background(),
		Query{Provider: Bailun, Tracker: fakeTracker{p: Bailun, delay: 20 * time.Millisecond}, Refs: []string{"b1", "b2"}},
		Query{Provider: Flowery, Tracker: fakeTracker{p: Flowery}, Refs: []string{"f1"}},
		Query{Provider: Reseller, Tracker: fakeTracker{p: Reseller}},
	)
	require.NoError(t, err)
	var refs []string
	for _, s := range snaps {
		refs = append(refs, s.Ref)
	}
	assert.Equal(t, []string{"b1", "b2", "f1"}, refs)
}

func TestTrackAllNamesTheFirstFailingProvider(t *testing.T) {
	boom := errors.New("boom")
	_, err := TrackAll(context.Background(),
		Query{Provider: Bailun, Tracker: fakeTracker{p: Bailun}, Refs: []string{"b1"}},
		Query{Provider: BirdSystem, Tracker: fakeTracker{delay: 10 * time.Millisecond, err: boom}, Refs: []string{"1"}},
		Query{Provider: Flowery, Tracker: fakeTracker{err: ErrUnavailable}, Refs: []string{"f1"}},
	)
	assert.ErrorIs(t, err, boom)
	assert.EqualError(t, err, "track birdsystem: boom")
}
