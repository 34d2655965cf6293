package status

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fakeTracker struct {
	p     Provider
	delay time.Duration
	err   error            // refuses the whole call
	fail  map[string]error // fails single refs
}

func (f fakeTracker) Provider() Provider { return f.p }

func (f fakeTracker) Track(ctx context.Context, refs ...string) ([]Snapshot, error) {
	time.Sleep(f.delay)
	if f.err != nil {
		return nil, f.err
	}
	out := make([]Snapshot, len(refs))
	for i, r := range refs {
		if err := f.fail[r]; err != nil {
			out[i] = Failed(f.p, r, err)
			continue
		}
		out[i] = Snapshot{Provider: f.p, Ref: r, Stage: Shipped}
	}
	return out, nil
}

func TestTrackAllKeepsQueryOrder(t *testing.T) {
	snaps := TrackAll(context.Background(),
		Query{Tracker: fakeTracker{p: Bailun, delay: 20 * time.Millisecond}, Refs: []string{"b1", "b2"}},
		Query{Tracker: fakeTracker{p: Flowery}, Refs: []string{"f1"}},
		Query{Tracker: fakeTracker{p: Reseller}},
	)
	var refs []string
	for _, s := range snaps {
		refs = append(refs, s.Ref)
	}
	assert.Equal(t, []string{"b1", "b2", "f1"}, refs)
	assert.NoError(t, Errors(snaps))
}

func TestTrackAllAFailingProviderMarksOnlyItsRefs(t *testing.T) {
	refused := fmt.Errorf("birdsystem: ref 0 is empty: %w", ErrInvalidRequest)
	snaps := TrackAll(context.Background(),
		Query{Tracker: fakeTracker{p: Bailun}, Refs: []string{"b1"}},
		Query{Tracker: fakeTracker{p: BirdSystem, delay: 10 * time.Millisecond, err: refused}, Refs: []string{"", "2"}},
		Query{Tracker: fakeTracker{p: Flowery, fail: map[string]error{"f2": ErrUnavailable}}, Refs: []string{"f1", "f2"}},
	)
	require.Len(t, snaps, 5)
	assert.Equal(t, Snapshot{Provider: Bailun, Ref: "b1", Stage: Shipped}, snaps[0])
	for _, s := range snaps[1:3] {
		assert.Equal(t, BirdSystem, s.Provider)
		assert.Equal(t, Unknown, s.Stage)
		assert.ErrorIs(t, s.Err, ErrInvalidRequest)
	}
	assert.Equal(t, `birdsystem: ref "2": ref 0 is empty: invalid request`, snaps[2].Err.Error(), "the provider is named once")
	assert.NoError(t, snaps[3].Err)
	assert.ErrorIs(t, snaps[4].Err, ErrUnavailable)

	err := Errors(snaps)
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.ErrorIs(t, err, ErrUnavailable)
	var re *RefError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "", re.Ref, "the first failure, in snapshot order")
}

func TestSnapshotJSONCarriesTheErrorMessage(t *testing.T) {
	s := Failed(Bailun, "CP-1", &APIError{Provider: Bailun, Method: "GET", Endpoint: "/q", HTTPStatus: 503, Err: ErrUnavailable})
	b, err := json.Marshal(s)
	require.NoError(t, err)
	assert.JSONEq(t, `{"provider":"bailun","ref":"CP-1","stage":"unknown","error":"bailun: ref \"CP-1\": GET /q: HTTP 503 (provider unavailable)"}`, string(b))

	var back Snapshot
	require.NoError(t, json.Unmarshal(b, &back))
	assert.EqualError(t, back.Err, s.Err.Error())

	ok, err := json.Marshal(Snapshot{Provider: Flowery, Ref: "1", Stage: Delivered})
	require.NoError(t, err)
	assert.JSONEq(t, `{"provider":"flowery","ref":"1","stage":"delivered"}`, string(ok), "no error key when Err is nil")
}

func TestRefErrorNamesProviderAndRefOnce(t *testing.T) {
	cause := errors.New("bailun: GET /x: HTTP 500")
	e := &RefError{Provider: Bailun, Ref: "A", Err: cause}
	assert.Equal(t, `bailun: ref "A": GET /x: HTTP 500`, e.Error())
	assert.ErrorIs(t, e, cause)
	e = &RefError{Provider: Bailun, Ref: "A", Err: context.Canceled}
	assert.Equal(t, `bailun: ref "A": context canceled`, e.Error())
	assert.ErrorIs(t, e, context.Canceled)
}

func TestParseProvider(t *testing.T) {
	for _, p := range Providers() {
		got, err := ParseProvider(" " + string(p) + " ")
		require.NoError(t, err)
		assert.Equal(t, p, got)
	}
	got, err := ParseProvider("BirdSystem")
	require.NoError(t, err)
	assert.Equal(t, BirdSystem, got)
	_, err = ParseProvider("dhl")
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.Len(t, Providers(), 4)
}
