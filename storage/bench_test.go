package storage_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/lib/pq"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

// BenchmarkChatsReached measures the delivery engine's query on a city
// larger than Móng Cái: 300 units three levels deep (the city, 23
// departments and wards, 12 platoons each), 10,000 chats following 1 to 3
// units each, 5% of them blocked or left.
//
//	go test -run='^$' -bench=ChatsReached -benchtime=20x ./storage/
func BenchmarkChatsReached(b *testing.B) {
	ctx := context.Background()
	db := pgtest.New(b)

	const wards, platoons, chats = 23, 12, 10_000
	specs := []storage.UnitSpec{{Code: "city", Name: "Thành phố", Kind: "city", Visibility: storage.Public}}
	for w := range wards {
		ward := fmt.Sprintf("ward-%d", w)
		specs = append(specs, storage.UnitSpec{Code: ward, Name: "Phường " + ward, Kind: "ward", Visibility: storage.Public, ParentCode: "city"})
		for p := range platoons {
			specs = append(specs, storage.UnitSpec{Code: fmt.Sprintf("%s-dq-%d", ward, p), Name: fmt.Sprintf("Trung đội %d", p),
				Kind: "militia", Visibility: storage.Restricted, ParentCode: ward})
		}
	}
	if len(specs) != 300 {
		b.Fatalf("%d units", len(specs))
	}
	if _, err := db.ApplyUnits(ctx, specs, storage.SystemActor); err != nil {
		b.Fatal(err)
	}
	units, err := db.Units(ctx)
	if err != nil {
		b.Fatal(err)
	}

	// Chats and subscriptions in bulk: the API writes one audit row per
	// subscription, which would make the setup, not the query, the slow part.
	rng := rand.New(rand.NewPCG(2021, 11_18))
	var ids, subChats, subUnits []int64
	var statuses []string
	for i := range chats {
		id := int64(1_000_000 + i)
		status := storage.ChatActive
		if rng.IntN(100) < 5 {
			status = []string{storage.ChatBlocked, storage.ChatLeft}[rng.IntN(2)]
		}
		ids, statuses = append(ids, id), append(statuses, status)
		picked := map[int64]bool{}
		for range 1 + rng.IntN(3) {
			u := units[rng.IntN(len(units))].ID
			if !picked[u] {
				picked[u] = true
				subChats, subUnits = append(subChats, id), append(subUnits, u)
			}
		}
	}
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO chats (id, type, status) SELECT unnest($1::bigint[]), 'private', unnest($2::text[])`,
			[]any{pq.Array(ids), pq.Array(statuses)}},
		{`INSERT INTO subscriptions (chat_id, unit_id) SELECT unnest($1::bigint[]), unnest($2::bigint[])`,
			[]any{pq.Array(subChats), pq.Array(subUnits)}},
		{`ANALYZE chats, subscriptions, units`, nil},
	} {
		if _, err := db.X().ExecContext(ctx, stmt.sql, stmt.args...); err != nil {
			b.Fatal(err)
		}
	}
	city, err := db.UnitByCode(ctx, "city")
	if err != nil {
		b.Fatal(err)
	}
	ward, err := db.UnitByCode(ctx, "ward-7")
	if err != nil {
		b.Fatal(err)
	}

	for _, bc := range []struct {
		name string
		unit int64
	}{{"city", city.ID}, {"ward", ward.ID}} {
		b.Run(bc.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				got, err := db.ChatsReached(ctx, []int64{bc.unit})
				if err != nil {
					b.Fatal(err)
				}
				n = len(got)
			}
			b.ReportMetric(float64(n), "chats/op")
		})
		b.Run(bc.name+"/count", func(b *testing.B) {
			var n int
			for b.Loop() {
				if n, err = db.CountChatsReached(ctx, []int64{bc.unit}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "chats/op")
		})
	}
}
