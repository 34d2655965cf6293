// Package fanout runs indexed work with bounded concurrency.
package fanout

import (
	"context"
	"sync"
)

// DefaultLimit is the concurrency used when a limit is zero or negative.
const DefaultLimit = 8

// Each calls fn(ctx, i) for every i in [0, n), at most limit at a time. The
// first error cancels the context handed to the calls still running, stops
// new ones from starting, and is returned. Each returns once every started
// call has returned; if ctx ends first, it returns ctx's error.
func Each(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	if n == 0 {
		return ctx.Err()
	}
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, n)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		mu    sync.Mutex
		first error
		next  int
		wg    sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
			cancel()
		}
		mu.Unlock()
	}
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if first != nil || next >= n || ctx.Err() != nil {
			return 0, false
		}
		i := next
		next++
		return i, true
	}
	for w := 0; w < limit; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i, ok := take()
				if !ok {
					return
				}
				if err := fn(ctx, i); err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}
