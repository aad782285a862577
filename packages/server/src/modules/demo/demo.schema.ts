import { z } from 'zod';

export const DemoAccounts = z
  .object({
    password: z.string().describe('the shared password of every demo account'),
    accounts: z.array(
      z.object({
        employeeNo: z.string(),
        name: z.string(),
        roles: z.array(z.string()),
        team: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'DemoAccounts' });
