// Preloaded into a benchmarked process (node --require): writes its peak resident
// set size to $KEEPOPEN_BENCH_RSS_FILE when it exits. Keeps measurement out of keepopen itself.
//
// Linux: VmHWM from /proc/self/status, the peak of this process's own memory since
// exec. Not process.resourceUsage().maxRSS: getrusage's maxrss survives fork and exec,
// so a child started by a parent that holds 400 MB reports 400 MB whatever it uses.
const { readFileSync, writeFileSync } = require('node:fs');

function peakRssBytes() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux: fall back below
  }
  return process.resourceUsage().maxRSS * 1024;
}

process.on('exit', () => {
  const file = process.env.KEEPOPEN_BENCH_RSS_FILE;
  if (file) writeFileSync(file, String(peakRssBytes()));
});
