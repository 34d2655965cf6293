package token

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCachesAndShares(t *testing.T) {
	var fetches atomic.Int32
	s := New(func(context.Context) (string, time.Duration, error) {
		n := fetches.Add(1)
		time.Sleep(20 * time.Millisecond)
		return "tok" + string(rune('0'+n)), time.Hour, nil
	})
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := s.Get(context.Background())
			assert.NoError(t, err)
			assert.Equal(t, "tok1", tok)
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), fetches.Load())
}

func TestRefreshesBeforeExpiry(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	n := 0
	s := New(func(context.Context) (string, time.Duration, error) { n++; return "t", time.Hour, nil })
	s.now = func() time.Time { return now }
	_, _ = s.Get(context.Background())
	now = now.Add(58 * time.Minute)
	_, _ = s.Get(context.Background())
	assert.Equal(t, 1, n)
	now = now.Add(time.Minute + time.Second)
	_, _ = s.Get(context.Background())
	assert.Equal(t, 2, n, "refetched a minute before the hour")
}

func TestInvalidateAndFailure(t *testing.T) {
	calls := 0
	fail := true
	s := New(func(context.Context) (string, time.Duration, error) {
		calls++
		if fail {
			return "", 0, errors.New("refused")
		}
		return "t" + string(rune('0'+calls)), 0, nil
	})
	now := time.Now()
	s.now = func() time.Time { return now }
	_, err := s.Get(context.Background())
	require.Error(t, err)
	fail = false
	_, err = s.Get(context.Background())
	require.Error(t, err, "a failure is held for HoldFailure")
	assert.Equal(t, 1, calls, "without fetching again")
	now = now.Add(HoldFailure)
	tok, err := s.Get(context.Background())
	require.NoError(t, err)
	s.Invalidate("someone else's")
	again, _ := s.Get(context.Background())
	assert.Equal(t, tok, again, "a stale invalidation leaves the current token")
	s.Invalidate(tok)
	fresh, _ := s.Get(context.Background())
	assert.NotEqual(t, tok, fresh)
}

func TestWaiterHonoursItsContext(t *testing.T) {
	release := make(chan struct{})
	s := New(func(context.Context) (string, time.Duration, error) { <-release; return "t", 0, nil })
	go func() { _, _ = s.Get(context.Background()) }()
	time.Sleep(10 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := s.Get(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	close(release)
}

// A fetch that panics does not wedge the cache: the next Get fetches again.
func TestPanickingFetchFreesTheWaiters(t *testing.T) {
	calls := 0
	s := New(func(context.Context) (string, time.Duration, error) {
		calls++
		if calls == 1 {
			panic("boom")
		}
		return "t", 0, nil
	})
	func() {
		defer func() { _ = recover() }()
		_, _ = s.Get(context.Background())
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	tok, err := s.Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "t", tok)
}

// A failed fetch fails every caller waiting on it, at once, with its error:
// 20 callers during an outage cost one fetch, not 20 in turn.
func TestFailureIsSharedWithTheWaiters(t *testing.T) {
	outage := errors.New("503")
	var fetches atomic.Int32
	s := New(func(context.Context) (string, time.Duration, error) {
		fetches.Add(1)
		time.Sleep(50 * time.Millisecond)
		return "", 0, outage
	})
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Get(context.Background())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		assert.ErrorIs(t, err, outage)
	}
	assert.LessOrEqual(t, fetches.Load(), int32(2), "callers arriving after the fetch ended may start one more")
}

// A fetch that fails only because its own caller went away is not shared:
// a waiter fetches again.
func TestFetcherCancelledIsNotShared(t *testing.T) {
	var fetches atomic.Int32
	s := New(func(ctx context.Context) (string, time.Duration, error) {
		if fetches.Add(1) == 1 {
			<-ctx.Done()
			return "", 0, ctx.Err()
		}
		return "tok", 0, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { _, err := s.Get(ctx); done <- err }()
	for fetches.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	waiter := make(chan string)
	go func() { tok, _ := s.Get(context.Background()); waiter <- tok }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	assert.Equal(t, "tok", <-waiter)
}
