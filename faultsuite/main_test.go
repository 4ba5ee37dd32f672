package faultsuite

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/loabot/loa/storage/pgtest"
)

func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

const token = "123456789:AAH-secret-part-of-the-token-0123456789"

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

// loaBinary builds the loa binary once per test process: the suite runs the
// program as an operator does, a separate process that can be killed.
func loaBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			buildErr = fmt.Errorf("find the module root: %w", err)
			return
		}
		root := filepath.Dir(strings.TrimSpace(string(out)))
		if binDir, buildErr = os.MkdirTemp("", "loa-faultsuite-"); buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "loa")
		cmd := exec.Command("go", "build", "-o", binPath, "github.com/loabot/loa")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build loa: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// proc is a running loa process and what it logged.
type proc struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	err    error         // its exit, valid once exited is closed

	mu   sync.Mutex
	logs bytes.Buffer
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

func (p *proc) done() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// kill ends the process with SIGKILL, as a power loss or the OOM killer would.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && !p.done() {
		t.Fatalf("kill loa: %v", err)
	}
	<-p.exited
}

// stop ends the process as an operator does, SIGTERM, and waits for it.
func (p *proc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(25 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

func startLoa(t *testing.T, vars map[string]string) *proc {
	t.Helper()
	cmd := exec.Command(loaBinary(t), "-env-file", "/nonexistent", "run")
	cmd.Env = os.Environ()
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v) // the last of a name wins
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, exited: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start loa: %v", err)
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.logs.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
	}()
	go func() {
		<-read // Wait closes the pipe: read it all first
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
	})
	return p
}

// listenerRE finds the address /healthz is served on. The ops listener
// (LOA_OPS_ADDR), where it exists, is preferred over the public one.
var listenerRE = regexp.MustCompile(`(ops|http) listener ready" addr=(\S+)`)

// healthAddr is the host:port of the process's /healthz, or "" while it has
// not logged one. It is the one place that knows the log line.
func healthAddr(log string) string {
	addr := ""
	for _, m := range listenerRE.FindAllStringSubmatch(log, -1) {
		if m[1] == "ops" {
			return m[2]
		}
		addr = m[2]
	}
	return addr
}
