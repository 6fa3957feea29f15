import type { Header } from 'tar-stream';
import { tarEntryType } from './read-tar-snapshot.js';

/**
 * The header certkit writes for an entry it read, under a new name. Built field by field: a header read from an
 * archive carries its PAX records (`pax`), and tar-stream writes those after the name it is given, so a PAX `path`
 * read from a backup would put the entry back under its old name. Extended attributes and other PAX records are
 * not written, nor setuid, setgid and sticky bits. A PAX uid or gid (past the 2,097,151 an octal field holds) wins over the field, as in tar.
 */
export function writableHeader(read: Header, name: string, linkname: string | undefined): Header {
  const pax = (read.pax ?? {}) as Record<string, string | undefined>;
  const type = tarEntryType(read.type);
  const header: Header = {
    name,
    type: type === 'hardlink' ? 'link' : type === 'file' || type === 'directory' || type === 'symlink' ? type : (read.type ?? 'file'),
    // No setuid, setgid or sticky bit: a certificate store has no programs, and a restored one would run as root.
    mode: (read.mode ?? 0o644) & 0o777,
    uid: paxNumber(pax['uid']) ?? read.uid ?? 0,
    gid: paxNumber(pax['gid']) ?? read.gid ?? 0,
    mtime: read.mtime ?? new Date(0),
    size: type === 'file' ? (read.size ?? 0) : 0,
    linkname: linkname ?? '',
    uname: read.uname ?? '',
    gname: read.gname ?? '',
    devmajor: 0,
    devminor: 0,
  };
  return header;
}

function paxNumber(value: string | undefined): number | undefined {
  return value !== undefined && /^[0-9]{1,15}$/.test(value) ? Number(value) : undefined;
}
