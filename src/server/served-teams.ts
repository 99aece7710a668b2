import type { LLMGroup } from "../groups/llm-group.js";
import type { LLMTeam } from "../team/llm-team.js";
import { HttpProblem } from "./http-problem.js";

/** The teams and groups a server serves, by id. */
export class ServedTeams {
  private readonly teams = new Map<string, LLMTeam>();
  private readonly groups = new Map<string, LLMGroup>();

  constructor(teams: readonly LLMTeam[], groups: readonly LLMGroup[] = []) {
    for (const team of teams) this.addTeam(team);
    for (const group of groups) this.addGroup(group);
  }

  /** @throws HttpProblem 409 when a team with the same id is served. */
  addTeam(team: LLMTeam): void {
    if (this.teams.has(team.teamId)) {
      throw new HttpProblem(
        409,
        `Team "${team.teamId}" is already served; team ids must be unique.`,
      );
    }
    this.teams.set(team.teamId, team);
  }

  addGroup(group: LLMGroup): void {
    if (this.groups.has(group.groupId)) {
      throw new HttpProblem(
        409,
        `Group "${group.groupId}" is already served; group ids must be unique.`,
      );
    }
    this.groups.set(group.groupId, group);
  }

  /** @throws HttpProblem 404 naming the known teams. */
  team(teamId: string): LLMTeam {
    const team = this.teams.get(teamId);
    if (team) return team;
    throw new HttpProblem(
      404,
      `Unknown team "${teamId}". ${known("teams", [...this.teams.keys()])}`,
    );
  }

  /** @throws HttpProblem 404 naming the known groups. */
  group(groupId: string): LLMGroup {
    const group = this.groups.get(groupId);
    if (group) return group;
    throw new HttpProblem(
      404,
      `Unknown group "${groupId}". ${known("groups", [...this.groups.keys()])}`,
    );
  }

  hasTeam(teamId: string): boolean {
    return this.teams.has(teamId);
  }

  allTeams(): LLMTeam[] {
    return [...this.teams.values()];
  }

  allGroups(): LLMGroup[] {
    return [...this.groups.values()];
  }
}

function known(what: string, ids: string[]): string {
  return ids.length === 0
    ? `The server serves no ${what}.`
    : `Known ${what}: ${ids.sort().join(", ")}.`;
}
