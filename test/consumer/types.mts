// Consumer fixture (scripts/check-consumer.mjs): the package's types as an ES-module TypeScript
// user sees them (tsc --strict, module nodenext). Type-checked only, never run.
import { execFile, listLinks, type ExecResult, type Link } from 'netdev';
import { waitFor, withNetns } from 'netdev/testing';

const links: Link[] = await listLinks({ kind: 'veth' });
const first: string | undefined = links[0]?.name;
const result: ExecResult = await execFile('true', [], { netns: { pid: 1 } });
// @ts-expect-error a link's name is a string: proves the types are real, not any
const wrong: number = links[0]!.name;

const lo: string = await withNetns(async (ns) => (await waitFor(async () => (await listLinks({ netns: ns }))[0])).name);

export { first, lo, result, wrong };
