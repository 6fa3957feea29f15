// Stands in for the source-map package in the CLI bundle (tools/bundle.js): handlebars' code generator requires it in
// a try and falls back to its own SourceNode when the require throws, as it does here. certkit renders text, not maps.
'use strict';
throw new Error('source-map is left out of the certkit bundle');
