package e2ee_test

import (
	"fmt"
	"time"

	"github.com/tetrasim/tetrasim/e2ee"
)

// Example shows the whole flow a simulator runs: a KMF, two handsets, a rekey
// delivered as SDS payloads, one encrypted transmission with SAFs and the
// end-of-transmission signature, and one SDS.
func Example() {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }

	kmf, _ := e2ee.NewKMF(e2ee.KMFConfig{Now: clock})
	const group = 0x1234
	kmf.AddTalkgroup(group, e2ee.SuiteAES, 0)
	handsets := map[e2ee.DeviceID]*e2ee.Member{}
	for _, id := range []e2ee.DeviceID{1001, 1002} {
		ident, _ := e2ee.NewIdentity(id, nil)
		kmf.AddDevice(ident.Public())
		handsets[id], _ = e2ee.NewMember(ident, kmf.PublicKey(), e2ee.MemberConfig{Now: clock})
	}
	kmf.AddMembers(group, 1001, 1002)
	msgs, _ := kmf.Rekey(group)
	for _, msg := range msgs { // the base station relays these as SDS
		for id, h := range handsets {
			if msg.To == 0 || msg.To == id {
				for _, p := range msg.Payloads {
					h.Apply(p)
				}
			}
		}
	}

	tx, _ := handsets[1001].Sender(group)
	rx, _ := handsets[1002].Receiver(group)
	frame := make([]byte, e2ee.FrameBits) // 137 unpacked ACELP bits from the speech encoder
	ct := make([]byte, e2ee.FrameBits)
	pt := make([]byte, e2ee.FrameBits)
	saf, _ := tx.NextSAF(nil) // first stolen half-slot
	res, _ := rx.AcceptSTCH(saf)
	fmt.Println("start SAF:", res.Indication)
	for i := 0; i < 62; i++ {
		if tx.FramesUntilSAF() == 0 {
			saf, _ = tx.NextSAF(saf[:0]) // steal a half-slot
			res, _ = rx.AcceptSTCH(saf)
			fmt.Println("SAF:", res.Indication, res.Windows)
		}
		tx.SealVoice(ct, frame)
		rx.OpenVoice(pt, ct)
	}
	end, _ := tx.End() // final SAF + 5 EOT-SIG fragments during hang time
	for _, stch := range end {
		res, _ = rx.AcceptSTCH(stch)
	}
	fmt.Println("EOT-SIG verified:", res.EOTVerified, "device", res.Device)

	sds, _ := handsets[1001].SealSDS(group, nil, []byte("GO"))
	text, info, err := handsets[1002].OpenSDS(group, nil, sds)
	fmt.Printf("SDS %q from sender %d, %d bytes on the air, err=%v\n", text, info.Sender, len(sds), err)
	// Output:
	// start SAF: verified
	// SAF: verified [pass pass pass pass]
	// EOT-SIG verified: true device 1001
	// SDS "GO" from sender 0, 28 bytes on the air, err=<nil>
}
