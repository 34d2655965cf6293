package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/status"
)

func noEnv(string) string { return "" }

// The demo's table reaches every canonical stage, keeps the undocumented
// code verbatim, and shows problems from every provider.
func TestDemoTable(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(nil, noEnv, &out, &errOut), errOut.String())
	table := out.String()
	lines := strings.Split(strings.TrimSpace(table), "\n")
	assert.Equal(t, 22, len(lines), "a header and twenty-one snapshots")
	for _, s := range status.Stages() {
		assert.Contains(t, table, " "+s.String()+" ", "stage %s is shown", s)
	}
	assert.Contains(t, table, "orderStatus=9")
	assert.Contains(t, table, "refused(goods_status=拒收)")
	assert.Contains(t, table, "stock(shipFaildType=4)")
	assert.Contains(t, table, "production(orderStatus=70)")
	assert.Contains(t, table, "awaiting_customer(status=WAITING_CLIENT_RESPOND)")
	assert.Contains(t, table, `flowery: ref "1000030": POST /orders: HTTP 200: code failure: token invalid (unauthorized)`,
		"the failed ref, with its error")
	assert.Equal(t, 1, run([]string{"-strict"}, noEnv, &out, &errOut), "-strict: a failed ref fails the run")
}

// Columns line up in a terminal, Chinese text included.
func TestTableAlignsWideCharacters(t *testing.T) {
	var out bytes.Buffer
	printTable(&out, []status.Snapshot{
		{Provider: status.Flowery, Ref: "1", Stage: status.Exception, TrackingNo: "T-ONE",
			Problems: []status.Problem{{Reason: status.ReasonRefused, Code: status.FloweryRefused.CodeAs("goods_status")}}},
		{Provider: status.Bailun, Ref: "2", Stage: status.Shipped, TrackingNo: "T-TWO"},
	})
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 3)
	col := func(line, cell string) int { return displayWidth(line[:strings.Index(line, cell)]) }
	assert.Equal(t, col(lines[0], "TRACKING NO"), col(lines[1], "T-ONE"))
	assert.Equal(t, col(lines[0], "TRACKING NO"), col(lines[2], "T-TWO"))
	assert.Equal(t, 4, displayWidth("拒收"))
}

func TestDemoJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"-json"}, noEnv, &out, &errOut), errOut.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 21)
	assert.Contains(t, lines[20], `"error":"flowery: ref \"1000030\": POST /orders: HTTP 200: code failure: token invalid (unauthorized)"`)
	var s status.Snapshot
	require.NoError(t, json.Unmarshal([]byte(lines[2]), &s))
	assert.Equal(t, status.Exception, s.Stage)
	assert.Equal(t, status.ReasonStock, s.Problems[0].Reason)
	assert.Contains(t, lines[2], `"stage":"exception"`)
	assert.Contains(t, lines[2], `"reason":"stock"`)
}

func TestLiveSkipsUnconfiguredProviders(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, run([]string{"-live"}, noEnv, &out, &errOut))
	for _, p := range []string{"bailun", "reseller", "birdsystem", "flowery"} {
		assert.Contains(t, errOut.String(), p+": skipped")
	}
}

func TestLiveHalfConfiguredIsAnError(t *testing.T) {
	env := map[string]string{"BIRDSYSTEM_BASE_URL": "https://test.birdsystem.com", "BIRDSYSTEM_API_KEY": "k"}
	var out, errOut bytes.Buffer
	code := run([]string{"-live", "birdsystem:1"}, func(k string) string { return env[k] }, &out, &errOut)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut.String(), "BIRDSYSTEM_COMPANY_ID not set")
	assert.NotContains(t, errOut.String(), "k\n")
}

func TestBadArguments(t *testing.T) {
	for _, args := range [][]string{{"-live", "nobody:1"}, {"-live", "bailun"}, {"CP-1"}, {"-nope"}} {
		var out, errOut bytes.Buffer
		assert.Equal(t, 2, run(args, noEnv, &out, &errOut), "%q", args)
	}
	var out, errOut bytes.Buffer
	run([]string{"-h"}, noEnv, &out, &errOut)
	assert.Contains(t, errOut.String(), "FLOWERY_TOKEN")
}
