package simd128

import (
	"bytes"
	"testing"
)

// TestLEB128 checks the two integer encodings against values worked out
// by hand from the WebAssembly specification's definition.
func TestLEB128(t *testing.T) {
	for _, c := range []struct {
		v    uint32
		want []byte
	}{{0, []byte{0}}, {127, []byte{0x7F}}, {128, []byte{0x80, 0x01}}, {228, []byte{0xE4, 0x01}}, {624485, []byte{0xE5, 0x8E, 0x26}}} {
		if got := appendU32(nil, c.v); !bytes.Equal(got, c.want) {
			t.Errorf("unsigned %d: % x, want % x", c.v, got, c.want)
		}
	}
	for _, c := range []struct {
		v    int32
		want []byte
	}{{0, []byte{0}}, {3, []byte{3}}, {63, []byte{0x3F}}, {64, []byte{0xC0, 0x00}}, {-1, []byte{0x7F}}, {-64, []byte{0x40}}, {-65, []byte{0xBF, 0x7F}}, {-123456, []byte{0xC0, 0xBB, 0x78}}} {
		if got := appendS32(nil, c.v); !bytes.Equal(got, c.want) {
			t.Errorf("signed %d: % x, want % x", c.v, got, c.want)
		}
	}
}

// TestModuleSections checks the module's frame: the magic and version,
// then sections 1, 2, 3, 7 and 10 in order, each as long as it says.
// (Node validates and runs it in flow/mlp's js/wasm tests.)
func TestModuleSections(t *testing.T) {
	m := Module()
	if !bytes.HasPrefix(m, []byte{0, 'a', 's', 'm', 1, 0, 0, 0}) {
		t.Fatalf("header % x", m[:8])
	}
	var ids []byte
	for r := m[8:]; len(r) > 0; {
		id := r[0]
		n, k := uint32(0), 1
		for shift := 0; ; shift += 7 {
			b := r[k]
			k++
			n |= uint32(b&0x7F) << shift
			if b&0x80 == 0 {
				break
			}
		}
		if int(n) > len(r)-k {
			t.Fatalf("section %d says %d bytes, %d left", id, n, len(r)-k)
		}
		ids = append(ids, id)
		r = r[k+int(n):]
	}
	if !bytes.Equal(ids, []byte{1, 2, 3, 7, 10}) {
		t.Errorf("sections %v, want [1 2 3 7 10]", ids)
	}
}
