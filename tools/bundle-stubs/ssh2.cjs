// Stands in for the ssh2 package in the CLI bundle (tools/bundle.js). docker-modem requires ssh2 when it loads, for
// DOCKER_HOST=ssh://, which certkit refuses before it connects (src/docker/connect-engine.ts); loading ssh2 and its
// crypto cost a fixed ~0.1 s of every certkit run. Reaching this is a bug in certkit: it says so.
/* global module */
'use strict';
class Client {
  constructor() {
    throw new Error('certkit does not reach Docker over ssh (ssh2 is left out of its bundle): use DOCKER_HOST=unix:// or tcp://');
  }
}
module.exports = { Client };
