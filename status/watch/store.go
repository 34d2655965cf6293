package watch

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ordertrack/ordertrack/status"
)

// TrackerID names one account of one provider: the key of everything a
// Store keeps. Two clients of one provider with different credentials are
// two TrackerIDs, so that their refs never collide.
type TrackerID struct {
	// Provider is the provider the account is at.
	Provider status.Provider `json:"provider"`
	// Account is the name the user gave the account; empty for a service
	// with one account at the provider.
	Account string `json:"account,omitempty"`
}

// String returns "provider" or "provider/account".
func (id TrackerID) String() string {
	if id.Account == "" {
		return string(id.Provider)
	}
	return string(id.Provider) + "/" + id.Account
}

// ParseTrackerID reads what String writes.
func ParseTrackerID(s string) (TrackerID, error) {
	name, account, _ := strings.Cut(s, "/")
	p, err := status.ParseProvider(name)
	if err != nil {
		return TrackerID{}, err
	}
	return TrackerID{Provider: p, Account: account}, nil
}

// Store keeps what a Watcher follows: for each tracker, the follow set,
// each ref's next due time and schedule state, its last answered
// snapshots, and the outbox of changes not yet acknowledged.
//
// A Store may be shared by several processes. A ref is polled by the one
// that claimed it: Claim leases a batch of due refs until a time, and
// gives each a generation; a Save carrying an older generation is refused
// (fencing), so a process that stalled past its lease never overwrites
// what another did. A tracker is driven by one process at a time, the
// holder of its lease (Lease), so that one rate limiter paces the account.
// A Store may keep its claims' leases in the process that made them
// rather than in what the processes share (sqlitestore does, so that a
// poll writes its ref once): while a tracker changes hands, two processes
// may then claim one ref, and only the first of their saves is taken.
//
// Implementations must be safe for concurrent use and pass the
// conformance suite in package watchtest. Times are compared in UTC. A
// limit of 0 or less claims or returns nothing. Errors name the store, the
// operation and the tracker ("sqlitestore: claim bailun/acme: ...").
type Store interface {
	// Follow puts refs in t's follow set, due at due. A ref already
	// followed keeps its snapshots and schedule; one being unfollowed is
	// followed again, and its generation grows (so that the claim that
	// would stop it is refused). It reports how many refs were not
	// followed before.
	Follow(ctx context.Context, t TrackerID, due time.Time, refs ...string) (added int, err error)
	// Unfollow asks that refs stop being followed: each is due at now, and
	// its next claim says Stopping, for the Watcher to report it
	// Unfollowed and Save it Done. Its generation grows: a claim of it
	// out when Unfollow returns is fenced off (its Save is refused), so
	// that nothing of a ref is saved to the outbox after Unfollow returned
	// but its Unfollowed. Refs not followed are ignored. It reports how
	// many refs it marked.
	Unfollow(ctx context.Context, t TrackerID, now time.Time, refs ...string) (marked int, err error)
	// Claim leases up to limit of t's refs due at or before now, oldest due
	// first, until until: each is not claimed again before until unless
	// saved or written since (Unfollow, ClaimRef), and its claim has a
	// newer generation than the ref's earlier ones. A claim not saved by
	// until goes back: its ref is due again from until.
	Claim(ctx context.Context, t TrackerID, now, until time.Time, limit int) ([]Claim, error)
	// ClaimRef claims one ref of t whatever its due time (for an answer
	// that came without a poll: a provider's push), leased until until; a
	// claim of it already out is fenced off (its Save is refused). ok is
	// false when the ref is not followed. A ref being unfollowed is not
	// claimed: its claim says Stopping, and its due time and generation
	// stand (its Unfollowed is not put off).
	ClaimRef(ctx context.Context, t TrackerID, ref string, until time.Time) (c Claim, ok bool, err error)
	// Save writes the outcome of claimed refs and their changes to the
	// outbox, in one transaction. A result whose generation is not the
	// ref's current one (its claim expired and was taken again) or whose
	// ref is no longer followed (or was unfollowed since its claim) is
	// refused whole: the error matches ErrLeaseLost and names the refs,
	// and the other results are saved.
	Save(ctx context.Context, t TrackerID, results []Result) error
	// Pending returns up to limit changes of t in the outbox, oldest first.
	Pending(ctx context.Context, t TrackerID, limit int) ([]status.Change, error)
	// Ack removes changes from t's outbox, by ID; IDs not there are
	// ignored.
	Ack(ctx context.Context, t TrackerID, ids ...string) error
	// Lease makes owner the holder of t until until, when t has no holder,
	// its lease expired (at or before now), or owner holds it already. It
	// reports false, with the holder's lease, when another owner holds it.
	// A Store shared by machines takes the time from its own clock (pgstore:
	// the database's), the lease lasting until−now from it, so that
	// machines whose clocks disagree never both hold t; one on one
	// machine (memory, SQLite) may take now as given.
	Lease(ctx context.Context, t TrackerID, owner string, now, until time.Time) (TrackerLease, bool, error)
	// Release gives up owner's lease of t, if it holds it.
	Release(ctx context.Context, t TrackerID, owner string) error
	// SaveOutage writes t's outage state (Lease returns it, to whoever
	// holds t next) and changes to the outbox, in one transaction, when
	// t's lease is still of generation gen (no other owner took it since):
	// else it writes nothing, and its error matches ErrLeaseLost.
	SaveOutage(ctx context.Context, t TrackerID, gen int64, o Outage, changes []status.Change) error
	// Get returns what is kept of one ref; ok is false when it is not
	// followed.
	Get(ctx context.Context, t TrackerID, ref string) (Followed, bool, error)
	// Stats counts t's refs at now.
	Stats(ctx context.Context, t TrackerID, now time.Time) (Stats, error)
}

// Claim is one claimed ref: what the Store keeps of it, and the generation
// its Result must carry.
type Claim struct {
	Ref string
	// Gen is the claim's generation, for its Result.
	Gen int64
	// Stopping says Unfollow was asked: the ref is not polled again, but
	// saved Done with its Unfollowed change.
	Stopping bool
	// Seen says the ref was answered before: Snapshots is its baseline.
	Seen bool
	// Snapshots are the last snapshots answered; nil before the first.
	// A Store may leave them undecoded in Raw instead (Snapshots nil):
	// Decode reads them when they are needed.
	Snapshots []status.Snapshot
	// Raw, when set, is the snapshots' JSON as the Store keeps it (as
	// encoding/json writes []status.Snapshot). The Watcher compares a
	// poll's answer with it before decoding anything: most polls change
	// nothing, and are recognised from the bytes alone.
	Raw []byte
	// State is the ref's schedule state.
	State State
}

// Decode fills Snapshots from Raw when a Store left them undecoded, and
// reports whether it could: snapshots this code cannot read (written by
// hand, or by a newer version) leave the claim as not seen, so that its
// next answer is its new baseline, as a Store does with such a row.
func (c *Claim) Decode() bool {
	if c.Snapshots != nil || len(c.Raw) == 0 {
		return true
	}
	// Into a variable of its own, not &c.Snapshots: c stays where its
	// caller has it (a claim a poll, on the stack).
	var snaps []status.Snapshot
	if err := json.Unmarshal(c.Raw, &snaps); err != nil {
		c.Snapshots, c.Raw, c.Seen = nil, nil, false
		return false
	}
	c.Snapshots = snaps
	return true
}

// Result is the outcome of one claimed ref, for Save.
type Result struct {
	Ref string
	// Gen is the generation of the claim.
	Gen int64
	// Done stops following the ref: it and its snapshots are deleted.
	Done bool
	// Seen says Snapshots is an answer (the ref's baseline from now on).
	Seen bool
	// Snapshots replace the ones kept.
	Snapshots []status.Snapshot
	// Same says Snapshots are the claim's, as its Raw holds them: a Store
	// may keep what it has rather than write them again.
	Same bool
	// State replaces the schedule state.
	State State
	// Due is when the ref is next due.
	Due time.Time
	// Changes go to the outbox, committed with the rest.
	Changes []status.Change
}

// State is what a Schedule knows of a ref beyond its snapshots.
type State struct {
	// Since is when the ref was first followed.
	Since time.Time `json:"since,omitzero"`
	// Polled is when it was last polled; Changed when a poll last changed
	// something (Since before the first change).
	Polled  time.Time `json:"polled,omitzero"`
	Changed time.Time `json:"changed,omitzero"`
	// FinalSince is when it reached a final stage; zero when it is not in
	// one.
	FinalSince time.Time `json:"final_since,omitzero"`
	// Quiet counts the polls in a row that changed nothing.
	Quiet int `json:"quiet,omitempty"`
	// Failures counts the polls in a row whose lookup failed; the ref was
	// reported NowFailing when it is more than zero.
	Failures int `json:"failures,omitempty"`
	// Outage says its failures were its tracker's (no ref of its batch
	// answered): the tracker was reported NowFailing, not the ref.
	Outage bool `json:"outage,omitempty"`
	// Follow names this follow of the ref (a Follow after its Unfollowed
	// is another), and Changes counts the changes made of it: each
	// change's Serial is "<Follow>.<Changes before it>".
	Follow  string `json:"follow,omitempty"`
	Changes int    `json:"changes,omitempty"`
	// Misses counts, by OrderNo, the answers in a row that missed a
	// sub-order known (see MissesToNotFound).
	Misses map[string]int `json:"misses,omitempty"`
}

// Followed is what a Store keeps of one ref, as Get returns it.
type Followed struct {
	Ref string `json:"ref"`
	// Due is when it is next polled.
	Due time.Time `json:"due"`
	// Stopping says Unfollow was asked, and its Unfollowed is due.
	Stopping bool `json:"stopping,omitempty"`
	// Seen says it was answered: Snapshots is what is known of it.
	Seen      bool              `json:"seen,omitempty"`
	Snapshots []status.Snapshot `json:"snapshots,omitempty"`
	State     State             `json:"state"`
	// Gen is the generation of its last claim.
	Gen int64 `json:"gen"`
}

// TrackerLease is who drives a tracker, until when.
type TrackerLease struct {
	Owner string    `json:"owner,omitempty"`
	Until time.Time `json:"until,omitzero"`
	// Gen grows each time the lease changes hands.
	Gen int64 `json:"gen"`
	// Outage is the tracker's outage state, as SaveOutage last wrote it.
	Outage Outage `json:"outage"`
}

// OutageRefs and OutageAfter decide an account's outage: when OutageRefs
// different refs of it failed in a row, with no lookup of the account
// answering between, over at least OutageAfter, a Watcher takes it for the
// account's failure, not each ref's. The account is then reported
// NowFailing once (Ref empty, Why "tracker"), its failing refs are not
// reported one by one, and it is reported Recovered when a lookup answers
// again. A ref failing in a batch none of whose refs answered is not
// reported until then (it may be the start of an outage); failing again
// with the account not in an outage, it is reported as its own. An
// account following fewer refs never has an outage: each ref's failure is
// its own. One whose refs are all unfollowed in an outage is asked
// nothing, and is reported Recovered by its next lookup that answers.
const (
	OutageRefs  = 3
	OutageAfter = time.Minute
)

// Outage is what a Store keeps of a tracker's failure as a whole, so that
// whichever process drives the tracker next knows what was said.
type Outage struct {
	// Failing says the tracker was reported NowFailing, and not Recovered
	// since.
	Failing bool `json:"failing,omitempty"`
	// Since is when the first lookup of the failures in a row was made;
	// zero when the last lookup answered.
	Since time.Time `json:"since,omitzero"`
	// Refs are the different refs that failed since a lookup last
	// answered, up to OutageRefs.
	Refs []string `json:"refs,omitempty"`
	// Count counts the outages reported: the Serial of their changes.
	Count int `json:"count,omitempty"`
}

// Stats counts a tracker's refs.
type Stats struct {
	// Followed counts the refs followed (Stopping ones included).
	Followed int `json:"followed"`
	// Due counts those due at the time asked, claimed ones aside;
	// OldestDue is when the one due longest was due (how far polling
	// lags), zero when none is.
	Due       int       `json:"due"`
	OldestDue time.Time `json:"oldest_due,omitzero"`
	// Pending counts the changes in the outbox.
	Pending int `json:"pending"`
	// Lease is the tracker's lease as the Store keeps it: who holds it
	// (Owner "" when no one), until when (on the Store's clock), and the
	// account's outage state, so that any process on the Store can say
	// how every account fares.
	Lease TrackerLease `json:"lease"`
}

// Consumer is a Store that hands the changes of its outbox over in the
// consumer's own transaction, exactly once: pgstore's and sqlitestore's.
// Consume hands up to limit changes (of every tracker, oldest first) to f,
// in one transaction that also takes them out of the outbox: f's writes
// in tx commit with their removal. When f returns an error, panics, or
// the process dies midway, the transaction rolls back: the batch comes
// again, and none of f's writes remain. It returns how many changes were
// consumed; 0 when the outbox is empty.
//
// Changes stay in the outbox for a Consumer when the Watcher runs without
// a deliver (Run(ctx, nil)).
type Consumer interface {
	Consume(ctx context.Context, limit int, f func(ctx context.Context, tx *sql.Tx, c status.Change) error) (int, error)
}

// ErrLeaseLost is matched by a Save refused because its claim was taken
// again after its lease ran out, or its ref is no longer followed.
var ErrLeaseLost = errors.New("watch: lease lost")

// Unreadable returns the change a Store gives for an outbox row this code
// cannot read (written by a newer one, say): its ID, and an Err that holds
// the row's text, so that a consumer sees it (and can log it) and
// acknowledges it, rather than the outbox stopping there.
func Unreadable(id string, raw []byte, err error) status.Change {
	return status.Change{ID: id, Err: fmt.Errorf("watch: a change this code cannot read (%v): %s", err, raw)}
}

// ErrSchema is matched by opening a store whose schema this code does not
// know (a newer version).
var ErrSchema = errors.New("watch: store schema unknown")

// LeaseLostError is the error of a Save some of whose results were
// refused.
type LeaseLostError struct {
	Tracker TrackerID
	Refs    []string
}

// Error names the tracker and the first refs refused.
func (e *LeaseLostError) Error() string {
	return fmt.Sprintf("watch: %s: lease lost for %d refs (%s)", e.Tracker, len(e.Refs), strings.Join(firstN(e.Refs, 5), ", "))
}

// Is matches ErrLeaseLost.
func (e *LeaseLostError) Is(target error) bool { return target == ErrLeaseLost }

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], "...")
	}
	return s
}

// CheckRefs refuses refs that no Store keeps alike: an empty one, one
// holding a NUL (Postgres text cannot), or one that is not UTF-8 (it would
// come back changed). Every Store's Follow refuses them with it, before
// anything is written; the error matches status.ErrInvalidRequest.
func CheckRefs(refs []string) error {
	for i, r := range refs {
		switch {
		case r == "":
			return fmt.Errorf("ref %d is empty: %w", i, status.ErrInvalidRequest)
		case strings.IndexByte(r, 0) >= 0:
			return fmt.Errorf("ref %d (%q) holds a NUL: %w", i, r, status.ErrInvalidRequest)
		case !utf8.ValidString(r):
			return fmt.Errorf("ref %d (%q) is not UTF-8: %w", i, r, status.ErrInvalidRequest)
		}
	}
	return nil
}
