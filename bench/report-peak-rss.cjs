// Preloaded into a benchmarked process (node --require): writes its peak resident
// set size to $KEEPOPEN_BENCH_RSS_FILE when it exits. Keeps measurement out of keepopen itself.
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  const file = process.env.KEEPOPEN_BENCH_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
});
