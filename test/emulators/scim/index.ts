export { startScimServer, type RecordedRequest, type ScimDialectMode, type ScimServer, type ScimServerOptions } from "./server";
