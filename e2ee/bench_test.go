package e2ee

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// TestVoiceZeroAllocs: SealVoice and OpenVoice allocate nothing once warm.
func TestVoiceZeroAllocs(t *testing.T) {
	for _, suite := range []Suite{SuiteAES, SuiteChaCha} {
		w := newWorld(t, 2, suite)
		tx, _ := w.members[1001].Sender(w.group)
		rx, _ := w.members[1002].Receiver(w.group)
		saf, _ := tx.NextSAF(nil)
		if _, err := rx.AcceptSTCH(saf); err != nil {
			t.Fatal(err)
		}
		f := randFrame(rand.New(rand.NewPCG(1, 1)))
		ct := make([]byte, FrameBits)
		pt := make([]byte, FrameBits)
		tx.SealVoice(ct, f) // warm
		rx.OpenVoice(pt, ct)
		a := testing.AllocsPerRun(20, func() {
			if _, err := tx.SealVoice(ct, f); err != nil {
				t.Fatal(err)
			}
		})
		b := testing.AllocsPerRun(20, func() { rx.OpenVoice(pt, ct) })
		if a != 0 || b != 0 {
			t.Fatalf("%v: SealVoice %v allocs, OpenVoice %v allocs", suite, a, b)
		}
	}
}

func BenchmarkVoice(b *testing.B) {
	for _, suite := range []Suite{SuiteAES, SuiteChaCha} {
		w := newWorld(b, 2, suite)
		w.members[1001].Persist = nil
		tx, _ := w.members[1001].Sender(w.group)
		rx, _ := w.members[1002].Receiver(w.group)
		f := randFrame(rand.New(rand.NewPCG(1, 1)))
		ct := make([]byte, FrameBits)
		pt := make([]byte, FrameBits)
		b.Run("Seal/"+suiteName(suite), func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if tx.FramesUntilSAF() == 0 {
					b.StopTimer()
					if !tx.InTransmission() {
						tx.NextSAF(nil)
					} else {
						tx.End()
						tx.NextSAF(nil)
					}
					b.StartTimer()
				}
				if _, err := tx.SealVoice(ct, f); err != nil {
					b.Fatal(err) // ErrCounterExhausted after 2^24 frames: use a shorter -benchtime
				}
				n++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/frame")
			b.ReportMetric(float64(n)/b.Elapsed().Seconds()*0.030, "x-realtime")
		})
		if tx.InTransmission() {
			tx.End()
		}
		saf, _ := tx.NextSAF(nil)
		rx.AcceptSTCH(saf)
		b.Run("Open/"+suiteName(suite), func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				rx.OpenVoice(pt, ct)
				n++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/frame")
			b.ReportMetric(float64(n)/b.Elapsed().Seconds()*0.030, "x-realtime")
		})
	}
}

func suiteName(s Suite) string {
	if s == SuiteAES {
		return "AES"
	}
	return "ChaCha20"
}

// BenchmarkSAF: building a SAF (4 tags over 31 frames) and verifying it. The
// 24-bit frame counter runs out after about 500,000 SAFs, so the benchmark starts
// a new epoch when it gets close (outside the timer).
func BenchmarkSAF(b *testing.B) {
	w := newWorld(b, 2, SuiteAES)
	r := rand.New(rand.NewPCG(1, 1))
	f := randFrame(r)
	ct := make([]byte, FrameBits)
	pt := make([]byte, FrameBits)
	var tx *Sender
	var rx *Receiver
	fresh := func() {
		if tx != nil && tx.InTransmission() && tx.ep.fc < MaxFC-1000 {
			return
		}
		msgs, err := w.kmf.Rekey(w.group)
		if err != nil {
			b.Fatal(err)
		}
		w.deliver(msgs)
		w.clk.Advance(w.kmf.ActivationDelay)
		tx, _ = w.members[1001].Sender(w.group)
		rx, _ = w.members[1002].Receiver(w.group)
		saf, err := tx.NextSAF(nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := rx.AcceptSTCH(saf); err != nil {
			b.Fatal(err)
		}
	}
	buf := make([]byte, 0, STCHBits)
	b.Run("Build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			fresh()
			for tx.FramesUntilSAF() > 0 {
				tx.SealVoice(ct, f)
			}
			b.StartTimer()
			var err error
			if buf, err = tx.NextSAF(buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "SAF/s")
	})
	tx = nil
	b.Run("Verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			fresh()
			for tx.FramesUntilSAF() > 0 {
				tx.SealVoice(ct, f)
				rx.OpenVoice(pt, ct)
			}
			buf, _ = tx.NextSAF(buf[:0])
			b.StartTimer()
			if res, err := rx.AcceptSTCH(buf); err != nil || res.Indication != Green {
				b.Fatal(res, err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "SAF/s")
	})
}

// BenchmarkRekey10k: one rekey of a 10,000-member talkgroup at the KMF (HPKE wrap
// per member, signed announce), with the bytes it puts on the air as SDS payloads,
// and one member applying its messages.
func BenchmarkRekey10k(b *testing.B) {
	const n = 10000
	clk := newClock()
	rnd := newSeeded(7)
	k, _ := NewKMF(KMFConfig{Now: clk.Now, Rand: rnd})
	k.AddTalkgroup(77, SuiteAES, 0)
	ids := make([]DeviceID, n)
	var first *Identity
	for i := range ids {
		ids[i] = DeviceID(100000 + i)
		id, _ := NewIdentity(ids[i], rnd)
		if i == 0 {
			first = id
		}
		k.AddDevice(id.Public())
	}
	k.AddMembers(77, ids...)
	k.Rekey(77) // first epoch, roster updates
	msgs, _ := k.Rekey(77)
	b.Run("KMF", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var err error
			msgs, err = k.Rekey(77)
			if err != nil {
				b.Fatal(err)
			}
		}
		sds := 0
		for _, m := range msgs {
			sds += len(m.Payloads)
		}
		b.ReportMetric(float64(Bytes(msgs)), "bytes-on-air")
		b.ReportMetric(float64(sds), "SDS")
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/n, "us/member")
	})
	install := func(b *testing.B, fs bool) *Member {
		m, _ := NewMember(first, k.PublicKey(), MemberConfig{Now: clk.Now, ForwardSecure: fs})
		for _, msg := range msgs {
			if msg.To != 0 && msg.To != first.ID {
				continue
			}
			for _, p := range msg.Payloads {
				if _, err := m.Apply(p); err != nil {
					b.Fatal(err)
				}
			}
		}
		return m
	}
	member := func(b *testing.B, fs bool) {
		b.ReportAllocs()
		for b.Loop() {
			install(b, fs)
		}
		// Heap the installed member keeps (the ForwardSecure doc's figure).
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		m := install(b, fs)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)), "retained-B")
		runtime.KeepAlive(m)
	}
	// One member applying its announce and wrap.
	b.Run("Member", func(b *testing.B) { member(b, false) })
	// The same with ForwardSecure: it derives all 10,000 senders' chain and SDS
	// keys and erases the epoch secret.
	b.Run("MemberForwardSecure", func(b *testing.B) { member(b, true) })
}

// BenchmarkSDS: seal and open of a 100-byte SDS.
func BenchmarkSDS(b *testing.B) {
	w := newWorld(b, 2, SuiteAES)
	a, c := w.members[1001], w.members[1002]
	pt := make([]byte, 100)
	buf := make([]byte, 0, MaxSDSPayload)
	b.Run("Seal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf, _ = a.SealSDS(w.group, buf[:0], pt)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "SDS/s")
	})
	out := make([]byte, 0, MaxSDSPayload)
	b.Run("SealOpen", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf, _ = a.SealSDS(w.group, buf[:0], pt)
			if _, _, err := c.OpenSDS(w.group, out[:0], buf); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "SDS/s")
	})
}

// TestWriteFuzzSeeds writes the seed corpora under testdata/fuzz when run with
// -update (they are also added in code with f.Add).
func TestWriteFuzzSeeds(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/fuzz")
	}
	write := func(name string, seeds [][]byte) {
		dir := filepath.Join("testdata", "fuzz", name)
		os.MkdirAll(dir, 0o755)
		for i, s := range seeds {
			body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(s)) + ")\n"
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed%02d", i)), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	saf := safSeeds()
	write("FuzzSAF", saf[:3])
	write("FuzzSTCH", saf[len(saf)-6:])
	w := newWorld(t, 2, SuiteAES)
	// The same first message FuzzSDS seals itself (the test world is deterministic).
	sds, _ := w.members[1001].SealSDS(w.group, nil, nil)
	write("FuzzSDS", [][]byte{sds})
	msgs, _ := w.kmf.Rekey(w.group)
	var kp [][]byte
	for _, m := range msgs {
		kp = append(kp, m.Payloads...)
	}
	write("FuzzKMFMessage", kp)
	ms, _ := w.members[1001].MarshalBinary()
	ks, _ := w.kmf.MarshalBinary()
	file, _ := SealKeyStore(StoreDevice, ms, []byte("pw"), KDFParams{Time: 1, MemoryKiB: 8, Threads: 1}, nil)
	write("FuzzKeyStore", [][]byte{ms, ks, file})
	stream, _, _, _ := kmfStream()
	write("FuzzKMFStream", [][]byte{stream})
}
