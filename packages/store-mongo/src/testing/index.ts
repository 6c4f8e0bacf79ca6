export {
  FERRETDB_VERSION,
  type FerretdbServer,
  freePort,
  resolveFerretdbBinary,
  startFerretdb,
} from './ferretdb-server.js'
