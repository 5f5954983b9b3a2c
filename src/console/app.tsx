import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiClient } from "./graphql/client.js";
import { SessionContext, type Session } from "./graphql/context.js";
import { graphql } from "./graphql/tada.js";
import { authorizationOf, loadCredentials, saveCredentials, type Credentials } from "./session.js";
import type { ApiError } from "./graphql/errors.js";
import { SignIn } from "./pages/sign-in.js";
import { Layout } from "./components/layout.js";
import { useLiveTail } from "./live.js";

const WhoAmI = graphql(`query WhoAmI { callerIdentity { arn account userId } }`);

export function App() {
  const [credentials, setCredentials] = useState<Credentials | undefined>(loadCredentials);
  const [caller, setCaller] = useState<Session["caller"]>();
  const [signInErrors, setSignInErrors] = useState<ApiError[]>([]);
  const client = useMemo(() => (credentials ? new ApiClient(authorizationOf(credentials)) : undefined), [credentials]);

  useEffect(() => {
    if (!client) return;
    let live = true;
    void client.send(WhoAmI).then(({ data, errors }) => {
      if (!live) return;
      if (data) {
        setCaller(data.callerIdentity);
        saveCredentials(credentials);
      } else {
        setSignInErrors(errors);
        signOut();
      }
    });
    return () => {
      live = false;
    };
  }, [client]);

  function signOut() {
    client?.close();
    saveCredentials(undefined);
    setCaller(undefined);
    setCredentials(undefined);
  }

  if (!client || !caller) {
    return <SignIn errors={signInErrors} busy={Boolean(client)} onSignIn={(c) => { setSignInErrors([]); setCredentials(c); }} />;
  }
  return <SignedIn client={client} caller={caller} signOut={signOut} />;
}

function SignedIn(props: { client: ApiClient; caller: Session["caller"]; signOut(): void }) {
  const live = useLiveTail(props.client);
  const session = useMemo<Session>(() => ({ ...props, revision: live.revision }), [props.client, props.caller, live.revision]);
  return (
    <SessionContext.Provider value={session}>
      <Layout liveState={live.state} />
    </SessionContext.Provider>
  );
}
