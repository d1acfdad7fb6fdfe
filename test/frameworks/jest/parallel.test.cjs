// A second jest file, so that jest has two files to share out between its worker processes
// (scripts/run-frameworks.mjs runs jest once in workers, once --runInBand): both files make links
// of the same names at the same time, each in its own anonymous namespace, without clashing, and
// the sandbox's own namespace is left as it was.
const fs = require('node:fs');
const { createVeth, listLinks } = require('netdev');
const { withNetnsN } = require('netdev/testing');

test('the same link names in parallel namespaces, none in the runner\'s own', async () => {
  const before = (await listLinks()).map((l) => l.name);
  const names = await withNetnsN(3, (list) => Promise.all(list.map(async (ns) => {
    await createVeth({ name: 'fx0', peer: { name: 'fx1' }, netns: ns });
    return (await listLinks({ netns: ns })).map((l) => l.name).sort();
  })));
  expect(names).toEqual([['fx0', 'fx1', 'lo'], ['fx0', 'fx1', 'lo'], ['fx0', 'fx1', 'lo']]);
  expect((await listLinks()).map((l) => l.name)).toEqual(before);
});

// scripts/run-frameworks.mjs runs jest both ways, says which, and gives its own pid: in band the
// tests run in jest's own process, the runner's child; in workers in a child of jest's.
// Run without them (plain npx jest), the test fails rather than leaving itself out.
const mode = process.env.NETDEV_JEST_MODE;
test(`jest runs this file ${mode === 'workers' ? 'in a worker process' : 'in band'}, as scripts/run-frameworks.mjs says`, () => {
  expect(['workers', 'in-band']).toContain(mode);
  const parentOf = (pid) => Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
  const runner = Number(process.env.NETDEV_FRAMEWORKS_PID);
  const where = process.ppid === runner ? 'in-band' : parentOf(process.ppid) === runner ? 'workers' : 'elsewhere';
  expect(where).toBe(mode);
});
