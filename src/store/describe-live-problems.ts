import { shellQuote } from '../render/shell-quote.js';
import type { LiveFileState } from './inspect-live.js';
import type { LineageIndex, LiveKind } from './store-layout.js';
import { LIVE_KINDS } from './store-layout.js';

export interface LiveFindings {
  /** 'ok', or one short phrase per wrong file: "cert.pem: hardlink (= version 3)". */
  summary: string;
  problems: string[];
}

interface Finding {
  short: string;
  sentence: (files: string) => string;
  /** Relinking to this version fixes it; null with `relink` means there is nothing to link to. */
  relink: boolean;
  fixVersion: number | null;
}

/** Turns the four live/ states into a summary and sentences; files in the same state share one sentence. */
export function describeLiveProblems(lineage: LineageIndex, states: Record<LiveKind, LiveFileState>, newest: number | null): LiveFindings {
  const groups = new Map<string, { kinds: LiveKind[]; finding: Finding }>();
  const shorts: string[] = [];
  for (const kind of LIVE_KINDS) {
    const finding = describeState(lineage, states[kind], newest);
    if (finding === null) continue;
    shorts.push(`${kind}.pem: ${finding.short}`);
    const group = groups.get(finding.short) ?? { kinds: [], finding };
    group.kinds.push(kind);
    groups.set(finding.short, group);
  }
  const problems = [...groups.values()].map(({ kinds, finding }) => {
    const sentence = finding.sentence(`live/${lineage.name}/${kinds.map((kind) => `${kind}.pem`).join(', ')}`);
    if (!finding.relink) return sentence;
    if (finding.fixVersion === null) {
      return `${sentence} archive/${lineage.name}/ holds no complete version (cert, chain, fullchain and privkey N.pem): restore it from a backup, or reissue with "certbot certonly --cert-name ${lineage.name} -d …".`;
    }
    return `${sentence} Fix, from the config dir (/etc/letsencrypt): ${relinkCommand(lineage.name, kinds, finding.fixVersion)}`;
  });
  return { summary: shorts.length === 0 ? 'ok' : shorts.join('; '), problems };
}

function describeState(lineage: LineageIndex, state: LiveFileState, newest: number | null): Finding | null {
  const relinkTo = (fixVersion: number | null) => ({ relink: true, fixVersion });
  switch (state.state) {
    case 'link': {
      if (newest !== null && state.version === newest) return null;
      if (newest !== null && state.version < newest) {
        return {
          short: `version ${state.version}, newest is ${newest}`,
          ...relinkTo(newest),
          sentence: (f) =>
            `${f} point(s) at version ${state.version}, but version ${newest} is the newest complete one, so the web server still gets the older files.`,
        };
      }
      const missing = LIVE_KINDS.filter((k) => lineage.versions.get(state.version)?.[k] === undefined).map(
        (k) => `${k}${state.version}.pem`,
      );
      return {
        short: `version ${state.version} is incomplete`,
        ...relinkTo(newest),
        sentence: (f) =>
          `${f} point(s) at version ${state.version}, which is incomplete (missing or unreadable: ${missing.join(', ') || 'a linked file'}): a renewal was interrupted or files were deleted. Restore the missing files, or link back to the newest complete version.`,
      };
    }
    case 'absolute-link':
      return {
        short: `absolute link ${state.target}`,
        ...relinkTo(state.version ?? newest),
        sentence: (f) =>
          `${f} is an absolute symlink (${state.target}); it breaks as soon as the store is mounted or copied at another path, as in a container. certbot writes relative links.`,
      };
    case 'foreign-link':
      return {
        short: `link outside archive/${lineage.name}/`,
        ...relinkTo(newest),
        sentence: (f) =>
          `${f} link(s) to ${state.resolved}, outside archive/${lineage.name}/; certbot refuses such links and skips the renewal.`,
      };
    case 'dangling':
      return {
        short: 'dangling link',
        ...relinkTo(newest),
        sentence: (f) =>
          `${f}: dangling symlink(s) (e.g. to ${state.target}, which does not exist): a copy or backup that left out archive/, or files deleted by hand; a web server pointed at them will not start.`,
      };
    case 'missing':
      return {
        short: 'missing',
        ...relinkTo(newest),
        sentence: (f) => `${f}: missing; certbot cannot load this certificate and a web server pointed at it will not start.`,
      };
    case 'other':
      return {
        short: `a ${state.type}`,
        relink: false,
        fixVersion: null,
        sentence: (f) => `${f}: a ${state.type}, not a symlink; move it aside, then link to the newest archive version.`,
      };
    case 'file': {
      const what = state.hardlinked ? 'hardlink' : 'regular file';
      const matched = state.matchesVersion;
      const bytes =
        matched === null
          ? 'Its bytes match no archive version, so they must be kept: the repair plan backs the file up, archives it as a new version and links to that.'
          : `Its bytes are archive version ${matched}, so linking loses nothing.`;
      return {
        short: `${what} (${matched === null ? 'matching no archive version' : `= version ${matched}`})`,
        relink: matched !== null,
        fixVersion: matched !== null && newest !== null && matched < newest ? newest : matched,
        sentence: (f) =>
          `${f}: ${what}(s), not symlinks into archive/, so certbot renew skips this certificate ("expected … to be a symlink") and it will expire. ${bytes} If you did this so a container that mounts only live/${lineage.name}/ can read the files, mount the whole config dir read-only instead, or copy the files out with a --deploy-hook.`,
      };
    }
  }
}

/** A command to paste into a shell: `${f}` is braced, since `$f3` would be the (empty) variable f3. */
function relinkCommand(name: string, kinds: LiveKind[], version: number): string {
  const archive = `../../archive/${name}`;
  if (kinds.length === 1)
    return `"cd ${shellQuote(`live/${name}`)} && ln -sfn ${shellQuote(`${archive}/${kinds[0]}${version}.pem`)} ${kinds[0]}.pem".`;
  return `"cd ${shellQuote(`live/${name}`)} && for f in ${kinds.join(' ')}; do ln -sfn ${shellQuote(archive)}/\${f}${version}.pem \${f}.pem; done".`;
}
