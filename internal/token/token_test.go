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
	_, err := s.Get(context.Background())
	require.Error(t, err)
	fail = false
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
