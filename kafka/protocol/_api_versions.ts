// ApiVersions: the first request every client sends, answered with the
// version range of each API this broker speaks.

import { f, message, type MessageSchema } from "./_schema.ts";

/** ApiVersionsRequest (API key 18), versions 0–3. */
export const ApiVersionsRequest: MessageSchema = message(
  "ApiVersionsRequest",
  18,
  0,
  3,
  3,
  [
    f("clientSoftwareName", "string", "3+"),
    f("clientSoftwareVersion", "string", "3+"),
  ],
);

/** ApiVersionsResponse (API key 18), versions 0–3. */
export const ApiVersionsResponse: MessageSchema = message(
  "ApiVersionsResponse",
  18,
  0,
  3,
  3,
  [
    f("errorCode", "int16", "0+"),
    f("apiKeys", "[]", "0+", {
      fields: [
        f("apiKey", "int16", "0+"),
        f("minVersion", "int16", "0+"),
        f("maxVersion", "int16", "0+"),
      ],
    }),
    f("throttleTimeMs", "int32", "1+"),
    f("supportedFeatures", "[]", "3+", {
      tag: 0,
      fields: [
        f("name", "string", "3+"),
        f("minVersion", "int16", "3+"),
        f("maxVersion", "int16", "3+"),
      ],
    }),
    f("finalizedFeaturesEpoch", "int64", "3+", { tag: 1, default: -1 }),
    f("finalizedFeatures", "[]", "3+", {
      tag: 2,
      fields: [
        f("name", "string", "3+"),
        f("maxVersionLevel", "int16", "3+"),
        f("minVersionLevel", "int16", "3+"),
      ],
    }),
    f("zkMigrationReady", "bool", "3+", { tag: 3, default: false }),
  ],
);
