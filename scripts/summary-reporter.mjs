// Prints the plain closing line CI reads: "tests: N passed, N failed, N skipped", and before it the slowest test
// files per project (where CI's time goes).
export default class SummaryReporter {
  onTestRunEnd(testModules) {
    let passed = 0,
      failed = 0,
      skipped = 0;
    const durations = [];
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const s = test.result().state;
        if (s === 'passed') passed++;
        else if (s === 'failed') failed++;
        else skipped++;
      }
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) failed++;
      const d = mod.diagnostic?.();
      if (d) durations.push({ name: `${mod.project.name}: ${mod.relativeModuleId ?? mod.moduleId}`, ms: d.duration ?? 0, setup: d.setupDuration ?? 0 });
    }
    if (durations.length > 5) {
      durations.sort((a, b) => b.ms - a.ms);
      const total = durations.reduce((s, d) => s + d.ms, 0);
      process.stdout.write(`\nslowest test files (of ${durations.length}, ${(total / 1000).toFixed(0)} s of file time in all):\n`);
      for (const d of durations.slice(0, 15)) process.stdout.write(`  ${(d.ms / 1000).toFixed(1).padStart(6)} s  ${d.name}\n`);
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
