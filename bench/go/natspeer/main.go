// natspeer: a small Go peer for the bench suite, built offline against Debian's nats.go 1.22
// (golang-github-nats-io-go-nats-dev) in GOPATH mode. It measures what `nats bench` would, so
// bench/peer.ts can print our Node figures beside Go's on the same server in the same run.
//
//	natspeer pub       -url U -subject S -size B (-n N | -duration D)
//	natspeer pubsub    -url U -subject S -size B (-n N | -duration D)
//	natspeer jspub     -url U -stream ST -subject S -size B -window W (-n N | -duration D) [-create]
//	natspeer jsconsume -url U -stream ST -subject S -n N -batch B [-consumer C] [-fill] [-create]
//
// Each prints exactly one JSON line on stdout:
//
//	{"scenario":..., "msgs":N, "seconds":S, "rate":R, "cpu_user_s":..., "cpu_sys_s":..., ...}
//
// CPU is this process's getrusage(RUSAGE_SELF) difference over the timed section only.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/bench"
)

type result struct {
	Scenario string  `json:"scenario"`
	Msgs     int64   `json:"msgs"`
	Seconds  float64 `json:"seconds"`
	Rate     float64 `json:"rate"`
	CPUUserS float64 `json:"cpu_user_s"`
	CPUSysS  float64 `json:"cpu_sys_s"`
	Size     int     `json:"size"`
	Sent     int64   `json:"sent,omitempty"`
	Errors   int64   `json:"errors,omitempty"`
	Stalls   int64   `json:"stalls,omitempty"`
	NatsGo   string  `json:"nats_go"`
}

type opts struct {
	url      string
	subject  string
	stream   string
	consumer string
	size     int
	n        int64
	duration time.Duration
	window   int
	batch    int
	create   bool
	fill     bool
}

type cpuMark struct{ user, sys time.Duration }

func cpuNow() cpuMark {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return cpuMark{}
	}
	return cpuMark{time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())}
}

func (a cpuMark) since() (userS, sysS float64) {
	b := cpuNow()
	return (b.user - a.user).Seconds(), (b.sys - a.sys).Seconds()
}

func die(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "natspeer: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 2 {
		die("usage: natspeer pub|pubsub|jspub|jsconsume [flags] (natspeer <cmd> -h for flags)")
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	var o opts
	fs.StringVar(&o.url, "url", nats.DefaultURL, "server URL")
	fs.StringVar(&o.subject, "subject", "bench.peer", "subject")
	fs.StringVar(&o.stream, "stream", "PEER", "JetStream stream (jspub, jsconsume)")
	fs.StringVar(&o.consumer, "consumer", "go", "durable pull consumer (jsconsume)")
	fs.IntVar(&o.size, "size", 128, "payload bytes")
	fs.Int64Var(&o.n, "n", 0, "messages (0: unlimited, needs -duration; jsconsume: required)")
	fs.DurationVar(&o.duration, "duration", 0, "publish for this long (0: until -n)")
	fs.IntVar(&o.window, "window", 256, "jspub: PublishAsyncMaxPending")
	fs.IntVar(&o.batch, "batch", 1000, "jsconsume: Fetch batch size")
	fs.BoolVar(&o.create, "create", false, "jspub/jsconsume: (re)create the stream as a memory stream on -subject")
	fs.BoolVar(&o.fill, "fill", false, "jsconsume: publish -n messages first (untimed)")
	_ = fs.Parse(os.Args[2:])
	if o.n <= 0 && o.duration <= 0 {
		die("give -n or -duration")
	}

	var r result
	var err error
	switch cmd {
	case "pub":
		r, err = runPub(o)
	case "pubsub":
		r, err = runPubSub(o)
	case "jspub":
		r, err = runJsPub(o)
	case "jsconsume":
		r, err = runJsConsume(o)
	default:
		die("unknown subcommand %q (pub, pubsub, jspub, jsconsume)", cmd)
	}
	if err != nil {
		die("%s: %v", cmd, err)
	}
	r.Scenario = cmd
	r.Size = o.size
	r.NatsGo = nats.Version
	line, _ := json.Marshal(r)
	fmt.Println(string(line))
}

func connect(o opts, name string) *nats.Conn {
	nc, err := nats.Connect(o.url, nats.Name(name), nats.MaxReconnects(-1))
	if err != nil {
		die("connect %s: %v", o.url, err)
	}
	return nc
}

// done reports whether a publisher that has sent `sent` messages since `start` should stop.
// The clock is read once per 1,000 messages so time.Now stays off the hot path.
func done(o opts, sent int64, start time.Time) bool {
	if o.n > 0 && sent >= o.n {
		return true
	}
	return o.duration > 0 && sent%1000 == 0 && time.Since(start) >= o.duration
}

// runPub: core publish as fast as possible, one flush at the end (nats.go's writer blocks when
// its buffer is full, so it has back-pressure of its own), timed like nats-bench's pub sample.
func runPub(o opts) (result, error) {
	nc := connect(o, "natspeer-pub")
	defer nc.Close()
	payload := make([]byte, o.size)
	bm := bench.NewBenchmark("pub", 0, 1)
	cpu := cpuNow()
	start := time.Now()
	var sent int64
	for !done(o, sent, start) {
		if err := nc.Publish(o.subject, payload); err != nil {
			return result{}, err
		}
		sent++
	}
	if err := nc.FlushTimeout(30 * time.Second); err != nil {
		return result{}, err
	}
	s := bench.NewSample(int(sent), o.size, start, time.Now(), nc)
	u, y := cpu.since()
	bm.AddPubSample(s)
	bm.Close()
	return result{Msgs: sent, Seconds: s.Seconds(), Rate: float64(sent) / s.Seconds(), CPUUserS: u, CPUSysS: y}, nil
}

// runPubSub: one publisher and one subscriber connection; rate is messages received per second,
// from the first publish to the last message received (or 2 s without progress: dropped messages).
func runPubSub(o opts) (result, error) {
	sc := connect(o, "natspeer-sub")
	defer sc.Close()
	var received int64
	last := atomic.Value{}
	sub, err := sc.Subscribe(o.subject, func(_ *nats.Msg) {
		if atomic.AddInt64(&received, 1)%1000 == 0 {
			last.Store(time.Now())
		}
	})
	if err != nil {
		return result{}, err
	}
	_ = sub.SetPendingLimits(-1, -1)
	if err := sc.Flush(); err != nil {
		return result{}, err
	}
	pc := connect(o, "natspeer-pub")
	defer pc.Close()
	payload := make([]byte, o.size)
	cpu := cpuNow()
	start := time.Now()
	var sent int64
	for !done(o, sent, start) {
		if err := pc.Publish(o.subject, payload); err != nil {
			return result{}, err
		}
		sent++
	}
	if err := pc.FlushTimeout(30 * time.Second); err != nil {
		return result{}, err
	}
	seen, seenAt := atomic.LoadInt64(&received), time.Now()
	for {
		got := atomic.LoadInt64(&received)
		if got >= sent {
			break
		}
		if got != seen {
			seen, seenAt = got, time.Now()
		} else if time.Since(seenAt) > 2*time.Second {
			break
		}
		time.Sleep(time.Millisecond)
	}
	end := time.Now()
	got := atomic.LoadInt64(&received)
	if got < sent {
		if t, ok := last.Load().(time.Time); ok {
			end = t
		}
	}
	s := bench.NewSample(int(got), o.size, start, end, sc)
	u, y := cpu.since()
	return result{Msgs: got, Sent: sent, Seconds: s.Seconds(), Rate: float64(got) / s.Seconds(), CPUUserS: u, CPUSysS: y}, nil
}

func createStream(js nats.JetStreamContext, o opts) error {
	_ = js.DeleteStream(o.stream)
	_, err := js.AddStream(&nats.StreamConfig{Name: o.stream, Subjects: []string{o.subject}, Storage: nats.MemoryStorage})
	return err
}

// publishAsync publishes until done() with at most `window` acks outstanding; returns sent,
// failed acks and stalls (PublishAsync gave up waiting for window room; the message is retried).
func publishAsync(nc *nats.Conn, o opts) (sent, errs, stalls int64, err error) {
	js, err := nc.JetStream(
		nats.PublishAsyncMaxPending(o.window),
		nats.PublishAsyncErrHandler(func(_ nats.JetStream, _ *nats.Msg, _ error) { atomic.AddInt64(&errs, 1) }),
	)
	if err != nil {
		return 0, 0, 0, err
	}
	payload := make([]byte, o.size)
	start := time.Now()
	for !done(o, sent, start) {
		if _, perr := js.PublishAsync(o.subject, payload); perr != nil {
			if stalls++; stalls > 1000 {
				return sent, errs, stalls, fmt.Errorf("publish keeps stalling: %w", perr)
			}
			continue
		}
		sent++
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(30 * time.Second):
		return sent, errs, stalls, errors.New("acks still outstanding after 30 s")
	}
	return sent, atomic.LoadInt64(&errs), stalls, nil
}

// runJsPub: JetStream async publish with a window to a memory stream; rate counts acked messages.
func runJsPub(o opts) (result, error) {
	nc := connect(o, "natspeer-jspub")
	defer nc.Close()
	if o.create {
		js, _ := nc.JetStream()
		if err := createStream(js, o); err != nil {
			return result{}, err
		}
	}
	cpu := cpuNow()
	start := time.Now()
	sent, errs, stalls, err := publishAsync(nc, o)
	if err != nil {
		return result{}, err
	}
	secs := time.Since(start).Seconds()
	u, y := cpu.since()
	ok := sent - errs
	return result{Msgs: ok, Sent: sent, Errors: errs, Stalls: stalls, Seconds: secs, Rate: float64(ok) / secs, CPUUserS: u, CPUSysS: y}, nil
}

// runJsConsume: pull consume with explicit ack (legacy PullSubscribe + Fetch: nats.go 1.22 has
// no `jetstream` package) of -n messages from a pre-filled stream, through a fresh durable.
func runJsConsume(o opts) (result, error) {
	if o.n <= 0 {
		return result{}, errors.New("jsconsume needs -n")
	}
	nc := connect(o, "natspeer-jsconsume")
	defer nc.Close()
	js, err := nc.JetStream()
	if err != nil {
		return result{}, err
	}
	if o.create {
		if err := createStream(js, o); err != nil {
			return result{}, err
		}
	}
	if o.fill {
		fo := o
		fo.duration = 0
		if _, errs, _, err := publishAsync(nc, fo); err != nil || errs > 0 {
			return result{}, fmt.Errorf("fill: %v (%d failed acks)", err, errs)
		}
	}
	_ = js.DeleteConsumer(o.stream, o.consumer)
	if _, err := js.AddConsumer(o.stream, &nats.ConsumerConfig{
		Durable: o.consumer, AckPolicy: nats.AckExplicitPolicy, DeliverPolicy: nats.DeliverAllPolicy,
	}); err != nil {
		return result{}, err
	}
	sub, err := js.PullSubscribe(o.subject, o.consumer, nats.Bind(o.stream, o.consumer))
	if err != nil {
		return result{}, err
	}
	cpu := cpuNow()
	start := time.Now()
	var got int64
	for got < o.n {
		want := o.batch
		if left := o.n - got; left < int64(want) {
			want = int(left)
		}
		msgs, ferr := sub.Fetch(want, nats.MaxWait(5*time.Second))
		if ferr != nil && len(msgs) == 0 {
			if errors.Is(ferr, nats.ErrTimeout) {
				break // stream holds fewer than -n messages
			}
			return result{}, ferr
		}
		for _, m := range msgs {
			_ = m.Ack()
		}
		got += int64(len(msgs))
	}
	if err := nc.Flush(); err != nil { // trailing acks leave before the clock stops
		return result{}, err
	}
	secs := time.Since(start).Seconds()
	u, y := cpu.since()
	_ = sub.Unsubscribe()
	return result{Msgs: got, Seconds: secs, Rate: float64(got) / secs, CPUUserS: u, CPUSysS: y}, nil
}
