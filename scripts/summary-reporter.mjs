// Prints the plain closing line CI reads: "tests: N passed, N failed, N skipped".
export default class SummaryReporter {
  onTestRunEnd(testModules) {
    let passed = 0,
      failed = 0,
      skipped = 0;
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const s = test.result().state;
        if (s === 'passed') passed++;
        else if (s === 'failed') failed++;
        else skipped++;
      }
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) failed++;
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
