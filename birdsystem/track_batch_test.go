package birdsystem_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/birdsystem/birdsystemtest"
	"github.com/ordertrack/ordertrack/status"
)

// Track asks about many ids in one listing filtered on id, BatchSize at a
// time: 120 ids are 3 requests, not 120, and each ref keeps its answer.
func TestTrackBatches(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	seed(srv, 2010290360001000, 118)
	var refs []string
	for i := range 118 {
		refs = append(refs, strconv.FormatInt(2010290360001000+int64(i), 10))
	}
	refs = append(refs, "2010290360009999", "not-a-number", "0"+refs[0])
	srv.ResetHits()
	snaps, err := c.Track(context.Background(), refs...)
	require.NoError(t, err)
	require.Len(t, snaps, len(refs))
	assert.Equal(t, 3, srv.Hits(""), "119 distinct ids in batches of 50")
	for i, s := range snaps[:118] {
		require.NoError(t, s.Err)
		assert.Equal(t, refs[i], s.Ref)
		assert.Equal(t, refs[i], s.OrderNo)
		want := status.Shipped
		if i%3 == 0 {
			want = status.Processing
		}
		assert.Equal(t, want, s.Stage, refs[i])
	}
	assert.Equal(t, status.NotFound, snaps[118].Stage, "an id BirdSystem does not list")
	assert.Equal(t, status.NotFound, snaps[119].Stage, "not an id")
	assert.Equal(t, "0"+refs[0], snaps[120].Ref, "the same id, written otherwise, is answered as its own ref")
	assert.Equal(t, snaps[0].Stage, snaps[120].Stage)
	for _, r := range srv.Requests() {
		q, err := url.ParseQuery(r.Query)
		require.NoError(t, err)
		var f []map[string]any
		require.NoError(t, json.Unmarshal([]byte(q.Get("filter")), &f), r.Query)
		assert.Equal(t, "list", f[0]["type"])
		assert.Equal(t, "id", f[0]["field"])
	}

	cfg := srv.Config()
	cfg.BatchSize = 1
	one, err := birdsystem.New(cfg)
	require.NoError(t, err)
	srv.ResetHits()
	again, err := one.Track(context.Background(), refs[:5]...)
	require.NoError(t, err)
	assert.Equal(t, 5, srv.Hits(""), "BatchSize 1: one GET per id")
	for i := range again {
		assert.Equal(t, snaps[i].Stage, again[i].Stage)
	}
	cfg.BatchSize = -1
	_, err = birdsystem.New(cfg)
	assert.ErrorIs(t, err, status.ErrInvalidConfig)
}

// A batch that fails gives each of its refs the error; the other batches
// keep their answers.
func TestTrackBatchFails(t *testing.T) {
	t.Parallel()
	srv := birdsystemtest.NewServer()
	t.Cleanup(srv.Close)
	cfg := srv.Config()
	cfg.MaxRetries, cfg.BatchSize, cfg.Concurrency = -1, 2, 1
	c, err := birdsystem.New(cfg)
	require.NoError(t, err)
	seed(srv, 2010290360002000, 4)
	refs := []string{"2010290360002000", "2010290360002001", "2010290360002002", "2010290360002003"}
	srv.Inject(birdsystemtest.Fault{Status: 503, Ref: refs[3], Times: birdsystemtest.Forever})
	snaps, err := c.Track(context.Background(), refs...)
	require.NoError(t, err)
	assert.NoError(t, snaps[0].Err)
	assert.NoError(t, snaps[1].Err)
	assert.ErrorIs(t, snaps[2].Err, status.ErrUnavailable, "in the failed batch")
	assert.ErrorIs(t, snaps[3].Err, status.ErrUnavailable)
	assert.Equal(t, fmt.Sprintf("birdsystem: ref %q: ", refs[2]), snaps[2].Err.Error()[:len(fmt.Sprintf("birdsystem: ref %q: ", refs[2]))])
}

// A listing with a row that is not a consignment: the ids missing from it
// may be that row, so they fail as malformed; the ones listed answer.
func TestTrackBatchUnfitRow(t *testing.T) {
	row := consignmentJSON(t, 2010290360000002, nil)
	c, _ := answering(t, 200, `{"success":true,"total":2,"data":[null, `+row+`]}`)
	snaps, err := c.Track(context.Background(), "2010290360000001", "2010290360000002")
	require.NoError(t, err)
	assert.ErrorIs(t, snaps[0].Err, status.ErrMalformedResponse)
	assert.Contains(t, snaps[0].Err.Error(), "GET /client/consignment")
	assert.NotEqual(t, status.NotFound, snaps[0].Stage)
	assert.NoError(t, snaps[1].Err)
	assert.Equal(t, "2010290360000002", snaps[1].OrderNo)
}

// A listing that answers rows it was not asked for (a server or a proxy
// that ignored the filter on id): the filter was not honoured, so the ids
// missing from it fail as malformed, never as not found; an id it did list
// answers.
func TestTrackBatchFilterIgnored(t *testing.T) {
	listed := consignmentJSON(t, 2010290360000002, nil)
	stranger := consignmentJSON(t, 2010290360000099, nil)
	c, _ := answering(t, 200, `{"success":true,"total":40,"data":[`+stranger+`,`+listed+`]}`)
	snaps, err := c.Track(context.Background(), "2010290360000001", "2010290360000002")
	require.NoError(t, err)
	require.Len(t, snaps, 2)
	assert.ErrorIs(t, snaps[0].Err, status.ErrMalformedResponse)
	assert.Contains(t, snaps[0].Err.Error(), "not asked for")
	assert.NotEqual(t, status.NotFound, snaps[0].Stage)
	assert.NoError(t, snaps[1].Err)
	assert.Equal(t, "2010290360000002", snaps[1].OrderNo)
}
