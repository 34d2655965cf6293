package transport

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/internal/lease"
)

// A request whose lease ended, by the check its context carries, is not
// sent, though the context is not done (a process resumed from a stop,
// its lease's timer not yet fired); one whose lease holds is, and so is
// its retry only while the lease holds.
func TestLeaseCheckedBeforeEachRequest(t *testing.T) {
	ended := errors.New("lease ended")
	srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable) // retried
	})
	c := newClient(t, srv.URL)

	_, err := c.Do(lease.With(context.Background(), func() error { return ended }), &Request{Path: "/orders"})
	require.ErrorIs(t, err, ended)
	assert.Zero(t, srv.hits.Load(), "a request left after its lease ended")

	// The lease ends after the first attempt: its retries are not sent.
	var sent atomic.Int64
	check := func() error {
		if sent.Add(1) > 1 {
			return ended
		}
		return nil
	}
	_, err = c.Do(lease.With(context.Background(), check), &Request{Path: "/orders"})
	require.ErrorIs(t, err, ended)
	assert.EqualValues(t, 1, srv.hits.Load(), "the retries of a request whose lease ended")
}
