import { PROBLEM_CONTENT_TYPE, type ProblemDetails } from '@x/api-billing-core'
import type { Response } from 'express'

/** Sends `problem` as `application/problem+json` with its status. */
export function sendProblem(res: Response, problem: ProblemDetails): void {
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem))
}
