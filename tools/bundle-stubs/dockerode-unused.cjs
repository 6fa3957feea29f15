// Stands in for dockerode's BuildKit session and progress modules (lib/session.js, lib/buildkit.js) in the CLI bundle
// (tools/bundle.js): certkit builds no image, and lib/session.js loads gRPC and protobuf (a hundred-odd modules) when
// dockerode loads. Reaching this is a bug in certkit: it says so.
/* global module */
'use strict';
function unused() {
  throw new Error("certkit does not build images (dockerode's BuildKit support is left out of its bundle)");
}
module.exports = unused;
module.exports.followProgress = unused;
