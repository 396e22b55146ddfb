package e2ee

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

// transmit runs one transmission of nFrames speech frames from tx to every rx,
// returning the decrypted frames per receiver and the last STCH results.
func TestVoiceRoundTrip(t *testing.T) {
	for _, suite := range []Suite{SuiteAES, SuiteChaCha} {
		t.Run(suite.String(), func(t *testing.T) {
			w := newWorld(t, 3, suite)
			tx, err := w.members[1001].Sender(w.group)
			if err != nil {
				t.Fatal(err)
			}
			rx, err := w.members[1002].Receiver(w.group)
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(1, 1))
			saf, err := tx.NextSAF(nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := rx.AcceptSTCH(saf)
			if err != nil || res.Indication != Green {
				t.Fatalf("start SAF: %+v %v", res, err)
			}
			ct := make([]byte, FrameBits)
			pt := make([]byte, FrameBits)
			for i := 0; i < 100; i++ {
				if tx.FramesUntilSAF() == 0 {
					saf, err := tx.NextSAF(nil)
					if err != nil {
						t.Fatal(err)
					}
					res, err := rx.AcceptSTCH(saf)
					if err != nil || res.Indication != Green {
						t.Fatalf("SAF %d: %+v %v", i, res, err)
					}
				}
				f := randFrame(r)
				if _, err := tx.SealVoice(ct, f); err != nil {
					t.Fatal(err)
				}
				if bytes.Equal(ct, f) {
					t.Fatal("ciphertext equals plaintext")
				}
				if _, err := rx.OpenVoice(pt, ct); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(pt, f) {
					t.Fatalf("frame %d: decrypt mismatch", i)
				}
			}
			end, err := tx.End()
			if err != nil {
				t.Fatal(err)
			}
			var last STCHResult
			for _, b := range end {
				last, err = rx.AcceptSTCH(b)
				if err != nil {
					t.Fatal(err)
				}
			}
			if !last.EOTComplete || !last.EOTVerified || last.Device != 1001 {
				t.Fatalf("EOT: %+v", last)
			}
			st := rx.Stats()
			if st.WindowsFailed != 0 || st.WindowsPassed == 0 {
				t.Fatalf("stats %+v", st)
			}
			_ = errors.Is
		})
	}
}
