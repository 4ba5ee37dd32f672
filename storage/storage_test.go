package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loabot/loa/storage"
	"github.com/loabot/loa/storage/pgtest"
)

func TestOpenErrorsHidePassword(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-pw"
	for _, dsn := range []string{
		"postgres://loa:" + secret + "@127.0.0.1:1/loa?sslmode=disable&connect_timeout=5", // nothing listens
		"postgres://loa:" + secret + "@db.example:notaport/loa",                           // net/url quotes the URL
		"postgres://loa:s3cr3t%2Dpw@127.0.0.1:1/loa?sslmode=disable&connect_timeout=5",    // encoded in the URL
		"host=127.0.0.1 port=1 user=loa password=" + secret + " sslmode=disable connect_timeout=5",
		"host=127.0.0.1 port=1 user=loa password='" + secret + "' sslmode=nonsense",
		"host=127.0.0.1 user=loa password='" + secret + "' port=x",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		db, err := storage.Open(ctx, dsn)
		cancel()
		if err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", dsn)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("Open error shows the password: %v", err)
		}
		t.Logf("%v", err)
	}
}

func TestPingAndClose(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	db, err := storage.Open(ctx, pgtest.NewURL(t), storage.WithPool(storage.Pool{MaxOpenConns: 2, MaxIdleConns: 1}))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if got := db.X().Stats().MaxOpenConnections; got != 2 {
		t.Errorf("MaxOpenConnections = %d, want 2 from WithPool", got)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := db.Ping(ctx); err == nil {
		t.Error("Ping after Close succeeded")
	}
}

func TestOpenUsesDefaultPool(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	if got := db.X().Stats().MaxOpenConnections; got != storage.DefaultPool.MaxOpenConns || got != 20 {
		t.Errorf("MaxOpenConnections = %d, want 20", got)
	}
}
