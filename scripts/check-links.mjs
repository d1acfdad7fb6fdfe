// Checks that every relative link in README.md and docs/**/*.md resolves: the file exists and the
// #anchor is a heading of the target (slugged as GitHub does: github-slugger, -1/-2 for repeats) or
// an explicit HTML id/name there. External links (with a scheme) are not fetched.
// `npm run check:docs`.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function markdownFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownFiles(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  );
}

/** The lines outside fenced code blocks: 1-based number, text, text without inline code spans. */
function proseLines(text) {
  const out = [];
  let fence = null;
  text.split('\n').forEach((line, i) => {
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (!fence) fence = f[1];
      else if (line.trim().startsWith(fence)) fence = null;
      return;
    }
    if (!fence) out.push({ n: i + 1, line, prose: line.replace(/(`+).+?\1/g, '') });
  });
  return out;
}

/** Heading text as GitHub renders it, slugged the github-slugger way. */
function slugify(heading) {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

const anchorCache = new Map();
function anchorsOf(file) {
  let anchors = anchorCache.get(file);
  if (anchors) return anchors;
  anchors = new Set();
  const seen = new Map();
  const add = (base) => {
    let slug = base;
    while (anchors.has(slug)) {
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      slug = `${base}-${n}`;
    }
    anchors.add(slug);
  };
  const lines = proseLines(readFileSync(file, 'utf8'));
  lines.forEach(({ line }, i) => {
    const atx = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    const prev = lines[i - 1];
    if (atx) add(slugify(atx[1]));
    else if (/^ {0,3}(=+|-+)\s*$/.test(line) && prev?.n === lines[i].n - 1 && prev.line.trim() && !/^\s*[#>|*-]/.test(prev.line))
      add(slugify(prev.line));
    for (const m of lines[i].prose.matchAll(/<[a-z]+\s[^>]*\b(?:id|name)="([^"]+)"/gi)) anchors.add(m[1]);
  });
  anchorCache.set(file, anchors);
  return anchors;
}

const files = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))];
const problems = [];
let checked = 0;
for (const file of files) {
  for (const { n, prose: line } of proseLines(readFileSync(file, 'utf8'))) {
    const targets = [
      ...[...line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
      ...[...line.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)].map((m) => m[1]),
      ...[...line.matchAll(/\bhref="([^"]+)"/g)].map((m) => m[1]),
    ];
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      checked++;
      const hash = target.indexOf('#');
      const pathPart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
      const anchor = hash < 0 ? null : decodeURIComponent(target.slice(hash + 1));
      const dest = pathPart ? resolve(dirname(file), pathPart) : file;
      const where = `${relative(root, file)}:${n}: ${target}`;
      if (!existsSync(dest)) problems.push(`${where}: no such file ${relative(root, dest)}`);
      else if (anchor !== null && (!statSync(dest).isFile() || !dest.endsWith('.md') || !anchorsOf(dest).has(anchor)))
        problems.push(`${where}: no anchor #${anchor} in ${relative(root, dest)}`);
    }
  }
}
if (problems.length) {
  console.error(`check-links: ${problems.length} of ${checked} links do not resolve:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-links: ${checked} relative links in ${files.length} markdown files resolve`);
