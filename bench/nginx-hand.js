// The baseline of the nginx scale bench (nginx-scale.js): plain nginx serving the same sites as an administrator
// writes them by hand, in the same image: one server block per site on port 443 with its own static certificate and
// key (loaded by nginx's master at start, so a renewal needs a reload), the same proxy settings as certkit's, and one
// port-80 server for every name (the ACME challenge, and a redirect to HTTPS). Names of no site get their handshake
// refused, as with certkit. Rendered into work/nginx (nginx.conf) and work/deploy (each site's PEM files).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serverNamesHash } from '../dist/render/server-names-hash.js';
import { atLeast } from './nginx-bench.js';

const MOUNTED = '/etc/certkit';

/** How a server listens on 443 with HTTP/2 on this nginx (the `http2` parameter is deprecated from 1.25.1). */
const listen443 = (version, extra = '') =>
  atLeast(version, '1.25.1') ? `listen 443 ssl${extra};\n        http2 on;` : `listen 443 ssl http2${extra};`;

const PROXY = `
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;`;

/** One site ({ id, names, upstream }), its certificate in its own folder; one without upstream answers itself. */
function siteServer(version, site) {
  const folder = `${MOUNTED}/deploy/${site.id}`;
  const answer = site.upstream
    ? `proxy_pass ${site.upstream};${PROXY}`
    : 'default_type text/plain;\n            return 200 "answered by nginx\\n";';
  return `
    server {
        ${listen443(version)}
        server_name ${site.names.join(' ')};
        ssl_certificate ${folder}/fullchain.pem;
        ssl_certificate_key ${folder}/privkey.pem;

        location / {
            ${answer}
        }
    }
`;
}

/** nginx.conf for these sites, written as an administrator would (settings every site shares set once). */
export function handWrittenConf(version, sites) {
  const hash = serverNamesHash(sites.flatMap((site) => site.names));
  return `# The bench's hand-written baseline (bench/nginx-hand.js).
worker_processes auto;
pid /run/nginx-hand.pid;
error_log stderr warn;

events {
    worker_connections 1024;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log /dev/stdout;
    sendfile on;
    server_tokens off;
    keepalive_timeout 65;
    # Sized as certkit sizes it (nginx's defaults warn with this many names).
    server_names_hash_max_size ${hash.maxSize};
    server_names_hash_bucket_size ${hash.bucketSize};

    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }

    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    ssl_session_cache shared:SSL:10m;
    ssl_session_timeout 1d;
    ssl_session_tickets off;

    server {
        listen 80 default_server;
        server_name _;
        location /.well-known/acme-challenge/ {
            root /var/www/certbot;
        }
        location / {
            return 301 https://$host$request_uri;
        }
    }

    server {
        ${listen443(version, ' default_server')}
        server_name _;
        ssl_reject_handshake on;
    }
${sites.map((site) => siteServer(version, site)).join('')}}
`;
}

/**
 * The hand-written folder for these sites in `work`: nginx/nginx.conf, and deploy/<id>/ with the certificate (PEM
 * texts, as makeCertificate gives) for every site. Returns a kit for startNginx with the command that runs it.
 */
export async function prepareHandWritten(work, version, sites, certificate) {
  await mkdir(join(work, 'nginx'), { recursive: true, mode: 0o755 });
  await writeFile(join(work, 'nginx', 'nginx.conf'), handWrittenConf(version, sites));
  for (const site of sites) {
    const folder = join(work, 'deploy', site.id);
    await mkdir(folder, { recursive: true, mode: 0o755 });
    await writeFile(join(folder, 'fullchain.pem'), certificate.cert);
    await writeFile(join(folder, 'privkey.pem'), certificate.key, { mode: 0o600 });
  }
  return { work, command: ['-c', `exec nginx -c ${MOUNTED}/nginx/nginx.conf -g 'daemon off;'`] };
}
