using Microsoft.Playwright;

namespace LogMonitoring.BrowserTests;

/// <summary>One browser tab on the explorer, with what the tests do in it as a person would, and every console error it logged.</summary>
public sealed class ExplorerPage
{
    private readonly List<string> _consoleErrors = [];

    public ExplorerPage(IPage page)
    {
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_consoleErrors)
                {
                    _consoleErrors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_consoleErrors)
            {
                _consoleErrors.Add("uncaught: " + error);
            }
        };
    }

    public IPage Page { get; }

    public IReadOnlyList<string> ConsoleErrors
    {
        get
        {
            lock (_consoleErrors)
            {
                return [.. _consoleErrors];
            }
        }
    }

    public ILocator QueryBox => Page.Locator("#query");

    public ILocator Rows => Page.GetByTestId("log-row");

    public ILocator Messages => Page.Locator("[data-testid=log-row] .col-message");

    public async Task SignInAsync(string key)
    {
        await Page.Locator("#api-key").FillAsync(key);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // Signed in: the page asked for appears. Refused: the alert says why, and the test says it too.
        var outcome = Page.Locator("#query, h1:text-is('Services'), .sign-in [role=alert]").First;
        await outcome.WaitForAsync(new() { Timeout = 60_000 });
        if (await Page.Locator(".sign-in [role=alert]").CountAsync() > 0)
        {
            throw new InvalidOperationException("Signing in failed: " + await Page.Locator(".sign-in [role=alert]").TextContentAsync());
        }
    }

    /// <summary>Types a query and presses Enter, as a user does.</summary>
    public async Task SearchAsync(string query)
    {
        await QueryBox.FillAsync(query);
        await QueryBox.PressAsync("Enter");
    }

    public async Task CloseAsync() => await Page.Context.CloseAsync();
}
