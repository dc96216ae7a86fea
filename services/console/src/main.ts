// The console process: runs until SIGTERM or SIGINT. A consumer crash exits non-zero for
// the supervisor to restart it (the read model is rebuilt from the log on start anyway).
import { runService } from "@fangcang/config";
import { type ConsoleConfig, loadConsoleConfig } from "./config.ts";
import { type RunningConsole, startConsole } from "./console.ts";

let config: ConsoleConfig;

runService<RunningConsole>({
  name: "console",
  start: (log, onFatal) => {
    config = loadConsoleConfig();
    return startConsole(config, onFatal, log);
  },
  started: (running) => ({
    url: running.url,
    brokers: config.KAFKA_BROKERS,
    topicPrefix: config.FANGCANG_TOPIC_PREFIX,
    tokens: config.FANGCANG_CONSOLE_TOKENS.map((t) => `${t.subject}:${t.role}`),
    jwt: config.FANGCANG_CONSOLE_JWT_SECRET !== undefined,
  }),
});
