// Test-wide setup, loaded by mocha before any spec (see .mocharc.json).

// aws-local-stepfunctions 3.x needs Promise.withResolvers, which Node 20 lacks: the same polyfill the local cloud loads.
import "../ops/local/states/promise-with-resolvers";
