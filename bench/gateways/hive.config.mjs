// Hive Gateway configuration used for both of its runs (JavaScript planner and Rust planner).
// Inbound in-flight deduplication is off by default; the benchmark turns it on so `identical`
// mode compares against Hive at its best. Its key includes every request header, so in
// `unique` mode (a distinct Authorization header per request) nothing is collapsed.
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  inboundInflightRequestDeduplication: true,
});
