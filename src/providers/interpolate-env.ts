import { ConfigError } from "../errors/config-error.js";

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${NAME}` with the environment variable `NAME`.
 * @throws ConfigError naming the variable and the config key when it is not set.
 */
export function interpolateEnv(
  value: string,
  where: string,
  env: Record<string, string | undefined> = process.env,
): string {
  return value.replace(VARIABLE, (_match, name: string) => {
    const found = env[name];
    if (found === undefined || found === "") {
      throw new ConfigError(
        `${where} reads the environment variable ${name}, which is not set. Set ${name}.`,
      );
    }
    return found;
  });
}
