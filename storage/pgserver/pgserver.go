// Package pgserver runs a PostgreSQL server of Loa's own, from the server
// binaries installed on the machine, so that Loa (and its tests, through
// storage/pgtest) needs no database set up beforehand.
//
// The server keeps its cluster in a directory of its own (Options.Dir) and
// listens on a Unix socket only, in that directory (or, when its path is too
// long for a socket, in a short private directory under /tmp), with trust
// authentication for the socket and no TCP at all: only processes that can
// reach the directory can connect. Run as root, initdb and postgres run as
// the unprivileged user "postgres", because PostgreSQL refuses to run as root.
//
// # Several handles on one directory
//
// A second Start on a directory whose server is running (postmaster.pid names
// a live process and the socket answers) attaches to that server instead of
// starting another, whether it runs in the same process or not.
//
// The rule for stopping: the last handle out stops the server, whoever
// started it. Every handle holds a shared advisory lock on the server for as
// long as it is open; Stop takes the exclusive lock, which it gets only when
// no other handle holds the shared one, and then shuts the server down (a
// "fast" shutdown: clients still connected are disconnected, committed data
// is safe); otherwise it only lets go. Starts and stops on a directory are
// serialized by a file lock (start.lock), so two handles stopping at once
// cannot both leave the server to the other, and a handle starting while the
// last one stops waits and starts a fresh server. Connections that are not
// handles (psql, a loa with DATABASE_URL pointing at the socket) do not keep
// the server up.
//
// A process killed without calling Stop (kill -9) leaves the server running;
// the next Start on the directory attaches to it, and its last Stop stops it.
package pgserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/lib/pq" // the presence connection
)

// Superuser is the name of the cluster's superuser, which the URLs use.
const Superuser = "postgres"

// port only names the socket file (.s.PGSQL.<port>): there is no TCP.
const port = 5432

// Advisory lock keys on the server's "postgres" database (storage's own
// locks live in the application's database, so they cannot collide).
const presenceKey int64 = 0x6c6f61706773 // "loapgs"

// Options says where and how to run the server.
type Options struct {
	// Dir holds the cluster (data/), the server's log (postgres.log) and
	// start.lock; created when missing, kept across restarts. Required.
	Dir string
	// Database is created when missing and named by URL; "" creates none
	// and URL names the "postgres" database.
	Database string
	// Search lists the directories to look for the binaries in, in order;
	// nil means DefaultSearch(). A non-nil empty list finds nothing.
	Search []string
	// Settings are server settings given on postgres's command line
	// (-c name=value), such as fsync=off for a throwaway cluster.
	Settings map[string]string
	// NoSync skips initdb's final fsync: for a throwaway cluster only.
	NoSync bool
}

// Server is one handle on a running server. Stop it when done.
type Server struct {
	dir, dataDir, socketDir string
	database                string
	cred                    *syscall.Credential // to run initdb and postgres with; nil: as this process
	pid                     int
	started                 bool

	exited   chan struct{} // closed when the postmaster this handle started is reaped
	presence *sql.DB
	conn     *sql.Conn

	stopOnce sync.Once
	stopErr  error
}

// DataDir returns the cluster's directory (PGDATA).
func (s *Server) DataDir() string { return s.dataDir }

// SocketDir returns the directory holding the server's socket.
func (s *Server) SocketDir() string { return s.socketDir }

// PID returns the postmaster's process id.
func (s *Server) PID() int { return s.pid }

// Started reports whether this handle started the server rather than
// attached to a running one.
func (s *Server) Started() bool { return s.started }

// URL returns a lib/pq URL for Options.Database (or "postgres").
func (s *Server) URL() string {
	if s.database == "" {
		return s.URLFor("postgres")
	}
	return s.URLFor(s.database)
}

// URLFor returns a lib/pq URL for the named database on the server.
func (s *Server) URLFor(database string) string {
	return socketURL(s.socketDir, database)
}

func socketURL(socketDir, database string) string {
	q := url.Values{"host": {socketDir}, "port": {strconv.Itoa(port)}, "user": {Superuser}, "sslmode": {"disable"}}
	return (&url.URL{Scheme: "postgres", Path: "/" + database, RawQuery: q.Encode()}).String()
}

// Start runs the server of opts.Dir, or attaches to it when it is running:
// it finds the binaries, creates the cluster when the directory has none
// (UTF-8, locale C, trust over the socket), starts postgres, waits until it
// accepts connections and creates opts.Database when missing.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Dir == "" {
		return nil, errors.New("pgserver: no directory given")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("pgserver: %w", err)
	}
	// Checked before anything is created: a directory the server cannot
	// reach is a mistake to fix, not something to leave half made.
	cred, err := serverUser(dir)
	if err != nil {
		return nil, err
	}
	// The parents are made reachable: as root, the postgres user has to get
	// through them. The directory itself is private.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("create the database directory: %w", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("create the database directory: %w", err)
	}
	unlock, err := lockDir(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer unlock()

	s := &Server{dir: dir, dataDir: filepath.Join(dir, "data"), database: opts.Database, cred: cred}
	for attempt := 0; ; attempt++ {
		ok, err := s.attach(ctx)
		if err != nil {
			if s.started {
				_ = s.shutdown() // the server this handle started, unusable
			}
			return nil, err
		}
		if ok {
			break
		}
		if attempt > 0 {
			if s.started {
				_ = s.shutdown()
			}
			return nil, fmt.Errorf("start PostgreSQL in %s: the server started but refused the handle", dir)
		}
		if err := s.start(ctx, opts); err != nil {
			return nil, err
		}
	}
	if opts.Database != "" {
		if err := s.createDatabase(ctx, opts.Database); err != nil {
			_ = s.stopLocked()
			return nil, err
		}
	}
	return s, nil
}

// attach connects to the running server of the directory, if any, and
// takes the presence lock. It reports false when no server is running.
func (s *Server) attach(ctx context.Context) (bool, error) {
	pf, err := readPIDFile(s.dataDir)
	if err != nil || !alive(pf.pid) {
		return false, nil
	}
	db, err := sql.Open("postgres", socketURL(pf.socketDir, "postgres")+"&connect_timeout=5")
	if err != nil {
		return false, fmt.Errorf("connect to PostgreSQL in %s: %w", s.dir, err)
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		_ = db.Close()
		if s.exited != nil {
			// The server this handle just started does not answer.
			return false, fmt.Errorf("connect to PostgreSQL in %s: %w%s", s.dir, err, s.logTail())
		}
		return false, nil // a stale postmaster.pid, or a server on its way out
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock_shared($1)", presenceKey).Scan(&ok); err != nil || !ok {
		_ = conn.Close()
		_ = db.Close()
		if err != nil {
			return false, fmt.Errorf("connect to PostgreSQL in %s: %w", s.dir, err)
		}
		// Only a Stop in progress holds the lock exclusively, and Stop
		// holds the directory lock we hold: cannot happen.
		return false, fmt.Errorf("connect to PostgreSQL in %s: the server is shutting down", s.dir)
	}
	s.pid, s.socketDir, s.presence, s.conn = pf.pid, pf.socketDir, db, conn
	return true, nil
}

// start creates the cluster when needed and starts postmaster; the caller
// then attaches to it.
func (s *Server) start(ctx context.Context, opts Options) (err error) {
	search := opts.Search
	if search == nil {
		search = DefaultSearch()
	}
	bin, err := Find(search)
	if err != nil {
		return err
	}
	cred := s.cred
	if cred != nil {
		if err := os.Chown(s.dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return fmt.Errorf("give the database directory to the postgres user: %w", err)
		}
	}

	if _, err := os.Stat(filepath.Join(s.dataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if entries, _ := os.ReadDir(s.dataDir); len(entries) > 0 {
			return fmt.Errorf("%s is not empty and holds no PostgreSQL cluster (no PG_VERSION); move it away", s.dataDir)
		}
		// Made aside and renamed into place, so that an initdb cut short
		// (a kill, a full disk) never leaves a half cluster to start from.
		// No ctx: it takes a second or two, and a Ctrl-C in the terminal
		// reaches it directly (it then removes what it made).
		fresh := s.dataDir + ".initdb"
		if err := os.RemoveAll(fresh); err != nil {
			return fmt.Errorf("remove a cluster left half made: %w", err)
		}
		args := []string{"-D", fresh, "-U", Superuser, "--auth-local=trust", "--auth-host=reject",
			"--encoding=UTF8", "--locale=C"}
		if opts.NoSync {
			args = append(args, "--no-sync")
		}
		cmd := exec.Command(filepath.Join(bin, "initdb"), args...)
		cmd.Dir = s.dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("create the PostgreSQL cluster in %s (%s): %w\n%s", s.dataDir, filepath.Join(bin, "initdb"), err, out)
		}
		_ = os.Remove(s.dataDir) // an empty directory made beforehand
		if err := os.Rename(fresh, s.dataDir); err != nil {
			return fmt.Errorf("create the PostgreSQL cluster in %s: %w", s.dataDir, err)
		}
	}

	socketDir := s.dir
	if len(filepath.Join(socketDir, fmt.Sprintf(".s.PGSQL.%d.lock", port))) > maxSocketPath || strings.ContainsAny(socketDir, `, "\`) {
		// Too long for sun_path (or unfit for unix_socket_directories'
		// list syntax): a short private directory instead, which the last
		// Stop removes.
		if socketDir, err = os.MkdirTemp("/tmp", socketPrefix); err != nil {
			return fmt.Errorf("create a socket directory: %w", err)
		}
		defer func() {
			if err != nil {
				_ = os.RemoveAll(socketDir)
			}
		}()
		if cred != nil {
			if err := os.Chown(socketDir, int(cred.Uid), int(cred.Gid)); err != nil {
				return fmt.Errorf("give the socket directory to the postgres user: %w", err)
			}
		}
	}

	// The log of the latest run only: truncated at each start.
	logFile, err := os.OpenFile(filepath.Join(s.dir, "postgres.log"), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("open the PostgreSQL log: %w", err)
	}
	defer logFile.Close()
	if cred != nil {
		_ = logFile.Chown(int(cred.Uid), int(cred.Gid))
	}
	args := []string{"-D", s.dataDir, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=", "-c", "unix_socket_directories=" + socketDir, "-c", "unix_socket_permissions=0700"}
	names := make([]string, 0, len(opts.Settings))
	for k := range opts.Settings {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		args = append(args, "-c", k+"="+opts.Settings[k])
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), args...)
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group: a Ctrl-C in the terminal must not stop the
	// server before loa has finished with it; loa stops it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start PostgreSQL (%s): %w", cmd.Path, err)
	}
	s.started, s.pid = true, cmd.Process.Pid
	s.exited = make(chan struct{})
	go func() { _ = cmd.Wait(); close(s.exited) }()

	deadline := time.Now().Add(2 * time.Minute)
	for {
		if pf, err := readPIDFile(s.dataDir); err == nil && pf.pid == cmd.Process.Pid && pf.status == "ready" {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("start PostgreSQL in %s: the server exited%s", s.dataDir, s.logTail())
		case <-ctx.Done():
			_ = s.shutdown()
			return fmt.Errorf("start PostgreSQL in %s: %w", s.dataDir, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = s.shutdown()
			return fmt.Errorf("start PostgreSQL in %s: not ready after 2 minutes%s", s.dataDir, s.logTail())
		}
	}
}

func (s *Server) createDatabase(ctx context.Context, name string) error {
	var exists bool
	if err := s.conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	// Only under the directory lock, so no other handle races to create it.
	if _, err := s.conn.ExecContext(ctx, "CREATE DATABASE "+quoteIdent(name)); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Stop lets go of the server and, when this is the last handle on it, shuts
// it down and waits until its process is gone (see the package comment).
// Calling it again returns the first result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		unlock, err := lockDir(ctx, s.dir)
		if err != nil {
			s.stopErr = err
			return
		}
		defer unlock()
		s.stopErr = s.stopLocked()
	})
	return s.stopErr
}

// lingerWait is how long Stop waits for the sessions of loa processes that
// died without stopping to end, before it leaves a shared server running.
const lingerWait = 2 * time.Second

// stopLocked is Stop under the directory lock.
func (s *Server) stopLocked() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// A loa that died without Stop (kill -9) holds the shared lock until
	// its backend notices the closed socket, which on a busy machine takes
	// a moment: look again for a little while before leaving the server to
	// the others.
	var last bool
	var err error
	for deadline := time.Now().Add(lingerWait); ; {
		err = s.conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", presenceKey).Scan(&last)
		if err != nil || last || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err == nil && !last {
		// Others still use it: let go, synchronously, so that the last of
		// them finds the lock free.
		_, err = s.conn.ExecContext(ctx, "SELECT pg_advisory_unlock_shared($1)", presenceKey)
		_ = s.conn.Close()
		_ = s.presence.Close()
		if err != nil && !s.goneSoon() {
			return fmt.Errorf("let go of PostgreSQL in %s: %w", s.dir, err)
		}
		return nil
	}
	if err != nil {
		_ = s.conn.Close()
		_ = s.presence.Close()
		if s.goneSoon() {
			return nil // gone already (killed, crashed): nothing left to stop
		}
		return fmt.Errorf("stop PostgreSQL in %s: %w", s.dir, err)
	}
	// Holding the exclusive lock until the server ends: nobody attaches.
	serr := s.shutdown()
	_ = s.conn.Close()
	_ = s.presence.Close()
	return serr
}

// goneSoon reports whether the postmaster is gone, or is within a few
// seconds: a killed server closes its sockets (so our connection fails)
// before the kernel has finished tearing the process down, and on a busy
// machine that takes a moment.
func (s *Server) goneSoon() bool {
	return waitFor(5*time.Second, func() bool { return !alive(s.pid) })
}

// shutdown asks the postmaster for a fast shutdown and waits until it is
// gone, killing it after 30 s. A socket directory of our own goes too.
func (s *Server) shutdown() error {
	if s.pid <= 0 {
		// kill(0) would signal our own process group.
		return fmt.Errorf("stop PostgreSQL in %s: no postmaster pid", s.dir)
	}
	var errs []error
	if err := syscall.Kill(s.pid, syscall.SIGINT); err != nil && !errors.Is(err, syscall.ESRCH) {
		errs = append(errs, fmt.Errorf("stop PostgreSQL in %s: %w", s.dir, err))
	}
	gone := func() bool {
		if s.exited != nil {
			select {
			case <-s.exited:
				return true
			default:
				return false
			}
		}
		// Not our child: gone, or a zombie its parent has yet to reap.
		// (A killed postmaster leaves its postmaster.pid behind.)
		return exited(s.pid)
	}
	if !waitFor(30*time.Second, gone) {
		_ = syscall.Kill(s.pid, syscall.SIGKILL)
		errs = append(errs, fmt.Errorf("stop PostgreSQL in %s: postmaster %d did not shut down in 30 s, killed", s.dir, s.pid))
		waitFor(5*time.Second, gone)
	}
	if s.socketDir != "" && s.socketDir != s.dir && strings.HasPrefix(filepath.Base(s.socketDir), socketPrefix) {
		_ = os.RemoveAll(s.socketDir)
	}
	return errors.Join(errs...)
}

const socketPrefix = "loa-pg-"

// maxSocketPath is the longest socket path the kernel takes (sun_path less
// its final NUL): 107 bytes on Linux, 103 on the BSDs and macOS.
var maxSocketPath = func() int {
	if runtime.GOOS == "linux" {
		return 107
	}
	return 103
}()

// serverUser returns the credential to run initdb and postgres with: nil
// unless this process is root, which PostgreSQL refuses to run as; then
// the postgres user's, after checking that it can reach dir.
func serverUser(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, and PostgreSQL refuses to run as root: it runs as the user "+
			"\"postgres\", which does not exist (%w); create it (useradd --system --home-dir /var/lib/postgresql postgres), "+
			"run loa as an ordinary user, or set DATABASE_URL to a server of your own", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if errors.Is(err, os.ErrNotExist) {
			if d == filepath.Dir(d) {
				break
			}
			continue // Start creates it, reachable
		}
		if err != nil {
			return nil, fmt.Errorf("check %s: %w", d, err)
		}
		st, _ := fi.Sys().(*syscall.Stat_t)
		if st != nil && fi.Mode()&0o001 == 0 && !(int(st.Uid) == uid && fi.Mode()&0o100 != 0) && !(int(st.Gid) == gid && fi.Mode()&0o010 != 0) {
			return nil, fmt.Errorf("running as root, PostgreSQL runs as the user \"postgres\", which cannot enter %s "+
				"(mode %v) to reach %s: choose a directory it can reach (LOA_DATA_DIR=/var/lib/loa, for example)", d, fi.Mode().Perm(), dir)
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// lockDir takes start.lock in dir, waiting for it as long as ctx allows.
func lockDir(ctx context.Context, dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, "start.lock"), os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock the database directory: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = f.Close() }, nil // closing releases the lock
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			_ = f.Close()
			return nil, fmt.Errorf("lock the database directory: %w", err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("lock the database directory %s: %w", dir, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// pidFile is what postmaster.pid says: the pid on line 1, the socket
// directory on line 5, the status ("starting", "ready", "stopping") on 8.
type pidFile struct {
	pid       int
	socketDir string
	status    string
}

func readPIDFile(dataDir string) (pidFile, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return pidFile{}, err
	}
	lines := strings.Split(string(b), "\n")
	var pf pidFile
	if pf.pid, err = strconv.Atoi(strings.TrimSpace(lines[0])); err != nil {
		return pidFile{}, fmt.Errorf("postmaster.pid: %w", err)
	}
	if len(lines) > 4 {
		pf.socketDir = strings.TrimSpace(lines[4])
	}
	if len(lines) > 7 {
		pf.status = strings.TrimSpace(lines[7])
	}
	return pf, nil
}

// ReadPID returns the postmaster's pid from dataDir's postmaster.pid.
func ReadPID(dataDir string) (int, error) {
	pf, err := readPIDFile(dataDir)
	return pf.pid, err
}

// alive reports whether pid is a running process (not a zombie).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	return !exited(pid)
}

// exited reports whether pid is gone or a zombie waiting to be reaped (on
// Linux, from /proc; elsewhere only gone).
func exited(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		if runtime.GOOS == "linux" {
			return true
		}
		return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
	}
	// The command name is in parentheses and may contain anything; the
	// state follows it.
	_, rest, ok := strings.Cut(string(b), ") ")
	return !ok || strings.HasPrefix(rest, "Z") || strings.HasPrefix(rest, "X")
}

// Exited reports whether pid is gone or a zombie: for tests that check
// that no server is left behind.
func Exited(pid int) bool { return exited(pid) }

func waitFor(limit time.Duration, done func() bool) bool {
	deadline := time.Now().Add(limit)
	for !done() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// logTail returns the end of the server's log, for errors.
func (s *Server) logTail() string {
	b, err := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
	if err != nil || len(b) == 0 {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "; the server's log (" + filepath.Join(s.dir, "postgres.log") + ") ends:\n" + string(b)
}
