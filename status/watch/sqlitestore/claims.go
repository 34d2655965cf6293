package sqlitestore

import (
	"context"
	"database/sql"
	"sync"
)

// claims keeps the leases of a Store's batch claims in memory, not in the
// file: a Claim only reads, so that a poll writes its row once (at its
// Save), in one transaction a batch.
//
// A claim reads each row's generation, and hands out a generation of its
// own (its token, Claim.Gen, unique in the file: taken from a block of
// gens this Store reserved). Its Save writes the row only when the row's
// generation is still the one read, and sets it to the token, which no
// claim has read. Every other write of a row (Follow, Unfollow,
// ClaimRef, any other Save) gives it a generation no claim has read
// either, so a claim whose row was written since is refused whole:
// fencing needs no write at claim time. Within this Store a claimed ref is
// not claimed again until its lease ends, it is saved, or its row is
// written by anything else; a claim of another process sharing the file
// (a tracker changing hands) is fenced at save time instead.
type claims struct {
	mu sync.Mutex
	// out holds, by tracker, the refs claimed and not yet saved.
	out map[string]claimedRefs
	// next and last bound the block of generations reserved for tokens:
	// next ≤ last is the next one to give.
	next, last int64
}

// claimed is one ref out on a claim.
type claimed struct {
	read  int64 // the row's generation when claimed
	token int64 // the claim's generation (Claim.Gen)
	at    int64 // the claim's now, Unix nanoseconds
	until int64 // the lease's end
}

// tokenBlock is how many generations a Store reserves for its claims'
// tokens at once.
const tokenBlock = 1 << 12

// token returns a generation no row and no other claim holds, reserving
// a block of them in the file when the last is spent. c.mu is held.
func (c *claims) token(ctx context.Context, s *Store) (int64, error) {
	if c.next == 0 || c.next > c.last {
		var n int64
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, "UPDATE gens SET n = n + ? RETURNING n", tokenBlock).Scan(&n)
		})
		if err != nil {
			return 0, err
		}
		c.next, c.last = n-tokenBlock+1, n
	}
	c.next++
	return c.next - 1, nil
}

// sweep forgets tracker's claims whose lease ended as long before now as
// it lasted, and returns the ones kept. A claim whose lease ended is not
// out (its ref may be claimed again), but its save is taken until then,
// as a Store writing leases takes it until the ref is claimed again;
// after, it is refused (its claim is lost, and its ref polled again), so
// that claims never saved do not pile up. c.mu is held.
func (c *claims) sweep(tracker string, now int64) claimedRefs {
	m := c.out[tracker]
	for ref, e := range m {
		if e.forgotten(now) {
			delete(m, ref)
		}
	}
	if len(m) == 0 && m != nil {
		delete(c.out, tracker)
		return nil
	}
	return m
}

// forgotten reports whether e's lease ended as long before now as it
// lasted (in unsigned arithmetic: times far apart do not overflow).
func (e claimed) forgotten(now int64) bool {
	if now <= e.until {
		return false
	}
	var lease uint64
	if e.until > e.at {
		lease = uint64(e.until) - uint64(e.at)
	}
	return uint64(now)-uint64(e.until) > lease
}

// claimedRefs is one tracker's claims out, by ref.
type claimedRefs map[string]claimed

// holds reports whether ref's row, of generation gen, is out on a claim
// at now: a row written since its claim (by Unfollow, say) is not, and
// may be claimed again at once. c.mu is held.
func (m claimedRefs) holds(ref string, gen, now int64) bool {
	e, ok := m[ref]
	return ok && e.read == gen && e.until > now
}

// fence returns the generation the claim of ref whose token is gen read,
// when it is a claim of this Store still out (saved or not, it is not
// once its Save ran). c.mu is held.
func (c *claims) fence(tracker, ref string, gen int64) (read int64, ok bool) {
	if e, ok := c.out[tracker][ref]; ok && e.token == gen {
		return e.read, true
	}
	return 0, false
}

// done forgets ref's claim of token once its Save ran (saved or
// refused: either way it is no longer out). c.mu is held.
func (c *claims) done(tracker, ref string, token int64) {
	m := c.out[tracker]
	if e, ok := m[ref]; ok && e.token == token {
		delete(m, ref)
		if len(m) == 0 {
			delete(c.out, tracker)
		}
	}
}
