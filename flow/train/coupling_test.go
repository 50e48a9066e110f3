package train

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
)

// straightnessAfter trains cfg for n steps and returns the straightness and
// normalized path energy of 20-step Euler trajectories of 400 particles.
func straightnessAfter(t *testing.T, cfg Config, n int) (straightness, npe float64) {
	t.Helper()
	tr := newTrainer(t, cfg)
	steps(t, tr, n)
	tr.Publish()
	return straightnessOf(t, tr.Latest())
}

func straightnessOf(t *testing.T, snap *Snapshot) (straightness, npe float64) {
	t.Helper()
	m := snap.Model()
	const particles, nsteps = 400, 20
	x0, _ := sampleModel(m, particles, 1, 11)
	traj := make([][]flow.Vec, nsteps+1)
	for k := range traj {
		traj[k] = make([]flow.Vec, particles)
	}
	flow.Integrate(m.Field(), flow.Euler, slices.Clone(x0), 0, 1, nsteps, traj)
	target := data.Sample(snap.Target, rand.New(rand.NewPCG(12, 12)), particles)
	w, err := flow.W2(x0, target)
	if err != nil {
		t.Fatal(err)
	}
	return flow.Straightness(traj), flow.NormalizedPathEnergy(flow.PathEnergy(traj), w*w)
}

// Tong et al. 2024 (Table 2): minibatch OT coupling learns straighter flows,
// with lower normalized path energy, than independent coupling.
func TestOTCouplingIsStraighter(t *testing.T) {
	cfg := smallConfig()
	cfg.Target = "8gaussians:radius=3,std=0.3"
	cfg.Batch = 64
	sInd, npeInd := straightnessAfter(t, cfg, 400)
	cfg.Coupling = CouplingOT
	sOT, npeOT := straightnessAfter(t, cfg, 400)
	t.Logf("independent: straightness %.3f NPE %.3f; OT: straightness %.3f NPE %.3f", sInd, npeInd, sOT, npeOT)
	if !(sOT < 0.5*sInd) {
		t.Errorf("OT straightness %.3f not well below independent %.3f", sOT, sInd)
	}
	if !(npeOT < 0.5*npeInd) {
		t.Errorf("OT NPE %.3f not well below independent %.3f", npeOT, npeInd)
	}
}

// Rectified flow's reflow (Liu et al. 2022): training on the teacher's own
// pairs (x0, ODE(x0)) straightens its paths.
func TestReflowStraightens(t *testing.T) {
	cfg := smallConfig()
	cfg.Target = "8gaussians:radius=3,std=0.3"
	cfg.Batch = 64
	teacher := newTrainer(t, cfg)
	steps(t, teacher, 400)
	teacher.Publish()
	path := filepath.Join(t.TempDir(), "teacher.json")
	if err := SaveModel(path, teacher.Latest().Model()); err != nil {
		t.Fatal(err)
	}
	sTeacher, _ := straightnessOf(t, teacher.Latest())

	cfg.Coupling, cfg.Teacher = CouplingReflow, path
	student := newTrainer(t, cfg)
	if !slices.Equal(student.net.Params, teacher.net.Params) {
		t.Fatal("the student did not start from the teacher's weights")
	}
	steps(t, student, 300)
	student.Publish()
	sStudent, _ := straightnessOf(t, student.Latest())
	t.Logf("straightness: teacher %.3f, reflowed student %.3f", sTeacher, sStudent)
	if !(sStudent < 0.5*sTeacher) {
		t.Errorf("reflow did not straighten: teacher %.3f, student %.3f", sTeacher, sStudent)
	}

	// Straighter, and still carrying the source onto the target.
	target := data.Sample(student.Latest().Target, rand.New(rand.NewPCG(13, 13)), 300)
	_, xt := sampleModel(teacher.Latest().Model(), 300, 50, 14)
	_, xs := sampleModel(student.Latest().Model(), 300, 50, 14)
	wt, ws := w2(xt, target), w2(xs, target)
	t.Logf("W2 to the target: teacher %.3f, student %.3f", wt, ws)
	if !(ws < 1.5*wt+0.1) {
		t.Errorf("the reflowed student lost the target: W2 %.3f, teacher %.3f", ws, wt)
	}

	// The same through the command, with the teacher in memory.
	cfg.Coupling, cfg.Teacher = CouplingIndependent, ""
	tr := newTrainer(t, cfg)
	tr.SetTeacher(teacher.Latest().Model())
	steps(t, tr, 1)
	tr.Publish()
	if s := tr.Latest(); s.Config.Coupling != CouplingReflow || s.Config.Teacher != TeacherInMemory || s.Step != 1 {
		t.Fatalf("after SetTeacher: coupling %q teacher %q step %d", s.Config.Coupling, s.Config.Teacher, s.Step)
	}
}
