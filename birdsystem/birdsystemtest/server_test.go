package birdsystemtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/birdsystem/birdsystemtest"
	"github.com/ordertrack/ordertrack/status"
)

// put200 puts 200 consignments updated at distinct times, in no order.
func put200(srv *birdsystemtest.Server) {
	base := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	for i := range 200 {
		c := birdsystemtest.Consignment(int64(2010290360000000+i), status.BirdSystemPending)
		c.UpdateTime = birdsystem.NewTime(base.Add(time.Duration((i*7919)%200) * time.Minute))
		srv.Put(c)
	}
}

// A listing that names no limit gets BirdSystem's default page, 50; a
// sorted one comes in the order asked.
func TestListDefaultPageAndSort(t *testing.T) {
	srv := birdsystemtest.NewServer()
	defer srv.Close()
	put200(srv)
	c, err := birdsystem.New(srv.Config())
	require.NoError(t, err)
	page, err := c.ListConsignments(context.Background(), nil)
	require.NoError(t, err)
	assert.Len(t, page.Consignments, birdsystem.DefaultPageSize)

	page, err = c.ListConsignments(context.Background(), &birdsystem.ListOptions{Limit: 10,
		Sort: birdsystem.Sorts{{Property: "update_time", Direction: birdsystem.Descending}}})
	require.NoError(t, err)
	require.Len(t, page.Consignments, 10)
	for i := 1; i < len(page.Consignments); i++ {
		assert.False(t, page.Consignments[i].UpdateTime.Time.After(page.Consignments[i-1].UpdateTime.Time), "newest first")
	}
}

// BenchmarkListSorted is a 10-row page of 200 consignments sorted by
// update_time: each record's sort column is read once (it was encoded
// and decoded at every comparison: 3-7 s under -race).
func BenchmarkListSorted(b *testing.B) {
	srv := birdsystemtest.NewServer()
	defer srv.Close()
	put200(srv)
	c, err := birdsystem.New(srv.Config())
	require.NoError(b, err)
	opts := &birdsystem.ListOptions{Limit: 10, Sort: birdsystem.Sorts{{Property: "update_time", Direction: birdsystem.Descending}}}
	for b.Loop() {
		if _, err := c.ListConsignments(context.Background(), opts); err != nil {
			b.Fatal(err)
		}
	}
}
