package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/status"
)

// provider is how -live builds one provider's client from the environment.
type provider struct {
	name     status.Provider
	required []string
	optional []string
	client   func(getenv func(string) string) (status.Tracker, error)
}

var providers = []provider{
	{status.Bailun, []string{"BAILUN_BASE_URL", "BAILUN_APP_ID", "BAILUN_APP_KEY"}, nil,
		func(env func(string) string) (status.Tracker, error) {
			return bailun.New(bailun.Config{BaseURL: env("BAILUN_BASE_URL"), AppID: env("BAILUN_APP_ID"), AppKey: bailun.NewSecret(env("BAILUN_APP_KEY"))})
		}},
	{status.Reseller, []string{"RESELLER_ID", "RESELLER_SECRET"}, []string{"RESELLER_BASE_URL"},
		func(env func(string) string) (status.Tracker, error) {
			id, err := strconv.ParseInt(env("RESELLER_ID"), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("RESELLER_ID: %w", err)
			}
			return reseller.New(reseller.Config{BaseURL: env("RESELLER_BASE_URL"), ResellerID: id, Secret: reseller.NewSecret(env("RESELLER_SECRET"))})
		}},
	{status.BirdSystem, []string{"BIRDSYSTEM_BASE_URL", "BIRDSYSTEM_API_KEY", "BIRDSYSTEM_COMPANY_ID"}, nil,
		func(env func(string) string) (status.Tracker, error) {
			return birdsystem.New(birdsystem.Config{BaseURL: env("BIRDSYSTEM_BASE_URL"), APIKey: birdsystem.NewSecret(env("BIRDSYSTEM_API_KEY")), CompanyID: env("BIRDSYSTEM_COMPANY_ID")})
		}},
	{status.Flowery, []string{"FLOWERY_ACCOUNT_ID", "FLOWERY_LOGISTICS", "FLOWERY_TOKEN"}, []string{"FLOWERY_BASE_URL"},
		func(env func(string) string) (status.Tracker, error) {
			return flowery.New(flowery.Config{BaseURL: env("FLOWERY_BASE_URL"), AccountID: env("FLOWERY_ACCOUNT_ID"),
				Logistics: env("FLOWERY_LOGISTICS"), Token: flowery.NewSecret(env("FLOWERY_TOKEN"))})
		}},
}

// liveQueries builds a query for every provider whose environment is set,
// with the refs named for it as provider:ref arguments. A provider with
// none of its variables set is skipped with a note; one with some but not
// all is an error naming what is missing.
func liveQueries(args []string, getenv func(string) string) ([]status.Query, []string, error) {
	refs := map[status.Provider][]string{}
	for _, a := range args {
		name, ref, ok := strings.Cut(a, ":")
		if !ok || ref == "" {
			return nil, nil, fmt.Errorf("%w: %q is not provider:ref", errUsage, a)
		}
		if !known(status.Provider(name)) {
			return nil, nil, fmt.Errorf("%w: unknown provider %q in %q", errUsage, name, a)
		}
		refs[status.Provider(name)] = append(refs[status.Provider(name)], ref)
	}
	var queries []status.Query
	var notes []string
	for _, p := range providers {
		var missing []string
		for _, v := range p.required {
			if getenv(v) == "" {
				missing = append(missing, v)
			}
		}
		switch {
		case len(missing) == len(p.required):
			notes = append(notes, fmt.Sprintf("%s: skipped (set %s)", p.name, strings.Join(p.required, ", ")))
			continue
		case len(missing) > 0:
			return nil, notes, fmt.Errorf("%w: %s is half configured: %s not set", errUsage, p.name, strings.Join(missing, ", "))
		case len(refs[p.name]) == 0:
			notes = append(notes, fmt.Sprintf("%s: configured, but no %s:REF arguments given", p.name, p.name))
			continue
		}
		t, err := p.client(getenv)
		if err != nil {
			return nil, notes, fmt.Errorf("%w: %s: %v", errUsage, p.name, err)
		}
		queries = append(queries, status.Query{Tracker: t, Refs: refs[p.name]})
	}
	return queries, notes, nil
}

func known(name status.Provider) bool {
	for _, p := range providers {
		if p.name == name {
			return true
		}
	}
	return false
}
