package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/status"
)

// The demo prints every move as a change, and nothing from the first look.
func TestWatchPrintsEachMove(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"-interval", "50ms"}, &out, &errOut), errOut.String())
	text := out.String()
	for _, want := range []string{
		"2024-06-03 10:30 bailun CP-1002 ready_to_ship -> shipped",
		"reseller 20240328-874367231 (1711617155442212624339791) processing -> ready_to_ship",
		"2024-06-03 12:30 birdsystem 2010290360000090 pending -> processing",
		"2024-06-03 13:30 flowery 1000029 exception -> out_for_delivery",
		"2024-06-03 13:30 flowery 1000029 problem_cleared other (order_status=问题件)",
		"2024-06-03 14:30 birdsystem 2010290360000090 processing -> shipped",
		"2024-06-03 15:30 flowery 1000027 out_for_delivery -> delivered",
		// Pushed by the platform, not polled: paired to its sub-order by
		// the express number.
		"2024-06-03 16:30 reseller 20240328-874367231 (1711617155442212624339790) event 2024-06-03 16:30:00 UTC 【上海市】快件已由本人签收, 感谢使用",
	} {
		assert.Contains(t, text, want+"\n")
	}
	assert.NotContains(t, text, "unknown ->", "the first look is not printed")
}

func TestWatchJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"-json", "-interval", "50ms"}, &out, &errOut), errOut.String())
	stages := 0
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var c status.Change
		require.NoError(t, json.Unmarshal([]byte(line), &c), line)
		if c.Kind == status.StageChanged {
			stages++
		}
	}
	assert.Equal(t, 6, stages)
}

// With -store, a second run resumes from the file: nothing is followed
// again, nothing reported twice.
func TestWatchStoreResumes(t *testing.T) {
	file := filepath.Join(t.TempDir(), "watch.db")
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"-store", file, "-interval", "50ms"}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), "bailun CP-1002 following, ready_to_ship\n")
	assert.Contains(t, out.String(), "bailun CP-1002 ready_to_ship -> shipped\n")

	out.Reset()
	errOut.Reset()
	require.Equal(t, 0, run([]string{"-store", file, "-interval", "50ms"}, &out, &errOut), errOut.String())
	assert.Empty(t, out.String(), "nothing new, nothing again")
	assert.Contains(t, errOut.String(), "watch: resumed 18 orders from "+file+"; 6 of 6 moves seen before")
}
